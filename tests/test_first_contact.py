"""What a newcomer runs first (issue 28): ``python -m ccxt_paradex doctor``, the simulator's command line (one
line and an exit code for every mistake), ccxt's built-in class against ``--auto-onboard``, the freqtrade starter
config, and ``examples/*.py --sim``. Command lines run as subprocesses, as a user meets them."""
import itertools
import os
import re
import subprocess
import sys

from packaging.requirements import Requirement

from ccxt_paradex.core import backend
from conftest import ROOT


def _run(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=None if env is None else dict(os.environ, **env))


# ---- doctor ---------------------------------------------------------------------------------------
def _doctor_rows(stdout):
    return {line[:15].strip(): line[16:] for line in stdout.splitlines() if line[:1] != " " and line.strip()}


def test_doctor_reports_the_active_backend_and_signs_one_order():
    out = _run("-m", "ccxt_paradex", "doctor")
    assert out.returncode == 0 and out.stderr == "", out.stderr
    rows = _doctor_rows(out.stdout)
    import ccxt
    import platform
    assert rows["ccxt"] == ccxt.__version__
    assert rows["python"].startswith(platform.python_version() + " (" + platform.python_implementation())
    info = backend.describe()  # this process has the same environment as the child
    assert rows["crypto backend"] == f"{info['name']}: {info['reason']}"
    ms = float(re.match(r"([\d.]+) ms per order \(median of (\d+)", rows["order signing"]).group(1))
    assert 0 < ms < 1000
    assert rows["self-check"] == "the signature verifies"


def test_doctor_says_why_the_portable_backend_is_active():
    out = _run("-m", "ccxt_paradex", "doctor", env={"PARADEX_CRYPTO_BACKEND": "portable"})
    assert out.returncode == 0, out.stderr
    rows = _doctor_rows(out.stdout)
    assert rows["crypto backend"].startswith("portable: ")
    if backend.NATIVE_AVAILABLE:
        assert "PARADEX_CRYPTO_BACKEND=portable is set" in rows["crypto backend"]
    assert "core/curve.py" in out.stdout and rows["self-check"] == "the signature verifies"


def test_the_doctors_wheel_table_is_setup_cfgs_marker():
    """backend.native_wheel_exists (the doctor's 'why') says what setup.cfg's marker selects, everywhere."""
    import configparser
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(ROOT, "setup.cfg"), encoding="utf-8")
    reqs = [Requirement(line) for line in cfg["options"]["install_requires"].splitlines()
            if line.strip() and not line.strip().startswith("#")]
    marker = next(r.marker for r in reqs if r.name == "fast-stark-crypto")
    for impl, system, machine, minor in itertools.product(("CPython", "PyPy"), ("Linux", "Darwin", "Windows"),
                                                          ("x86_64", "aarch64", "arm64", "AMD64", "ARM64"),
                                                          range(9, 15)):
        env = {"platform_python_implementation": impl, "platform_system": system, "platform_machine": machine,
               "python_version": f"3.{minor}"}
        assert backend.native_wheel_exists(impl, system, machine, (3, minor)) == marker.evaluate(env), env
