"""What a newcomer runs first (issue 28): ``python -m ccxt_paradex doctor``, the simulator's command line (one
line and an exit code for every mistake), ccxt's built-in class against ``--auto-onboard``, the freqtrade starter
config, and ``examples/*.py --sim``. Command lines run as subprocesses, as a user meets them."""
import itertools
import os
import re
import subprocess
import sys

import pytest
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


# ---- the simulator ------------------------------------------------------------------------------
def test_auto_onboard_takes_only_the_key_the_address_derives_from():
    """The /auth hook recovers the signer's key from the signature: the address's own key onboards it (with that
    key); another key's signature, or no hook (Paradex's behaviour), leaves it NOT_ONBOARDED."""
    from ccxt_paradex.core import curve, signing
    from ccxt_paradex.sim.auth import Authority, recover_public_keys
    from ccxt_paradex.sim.errors import ApiError
    from ccxt_paradex.sim.server import SYSTEM_CONFIG
    now = 1_700_000_000
    authority = Authority(dict(SYSTEM_CONFIG), lambda: now)
    key, other = 0x51DE5, 0x0BAD
    address = authority.address_for(curve.public_key(key))

    def headers(signing_key):
        sig = signing.StarkSigner(hex(signing_key), hex(address), authority.chain_id).sign_auth(now, now + 60)
        return {"PARADEX-STARKNET-ACCOUNT": hex(address), "PARADEX-STARKNET-SIGNATURE": sig,
                "PARADEX-TIMESTAMP": str(now), "PARADEX-SIGNATURE-EXPIRATION": str(now + 60)}

    digest = signing.auth_hash(authority.chain_id, address, now, now + 60)
    assert curve.public_key(key) in recover_public_keys(digest, headers(key)["PARADEX-STARKNET-SIGNATURE"])
    accounts, onboarded = {}, []

    class Record:
        def __init__(self, address, public_key):
            self.address, self.public_key, self.subkeys = address, public_key, {}

    def onboard(addr, public_key):
        onboarded.append((addr, public_key))
        return accounts.setdefault(addr, Record(addr, public_key))
    for hook in (None, onboard):
        authority.auto_onboard = hook
        with pytest.raises(ApiError) as e:
            authority.check_auth(headers(other), accounts)
        assert e.value.code == "NOT_ONBOARDED" and onboarded == [] and accounts == {}
    with pytest.raises(ApiError):
        authority.auto_onboard = None
        authority.check_auth(headers(key), accounts)
    authority.auto_onboard = onboard
    acct, signer = authority.check_auth(headers(key), accounts)
    assert onboarded == [(hex(address), curve.public_key(key))] and signer == curve.public_key(key)
    assert authority.check_auth(headers(key), accounts)[0] is acct and len(onboarded) == 1  # once
