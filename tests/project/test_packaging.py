"""The repository stands alone, and setup.cfg declares what the package imports (issue 14)."""
import ast
import configparser
import functools
import importlib.metadata
import itertools
import os
import re
import subprocess
import sys

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import DATA, ROOT

PACKAGE = os.path.join(ROOT, "ccxt_paradex")
SKIP_DIRS = {".git", "__pycache__", ".tox", ".venv", "build", "dist", ".pytest_cache"}


def _setup_cfg():
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(ROOT, "setup.cfg"), encoding="utf-8")
    return cfg


def _requirements(value):
    return [Requirement(line) for line in value.splitlines() if line.strip() and not line.strip().startswith("#")]


def _text_files():
    """The files a clone has (git's view: tracked and new, not ignored); a plain walk without git."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, timeout=30, check=True).stdout
        paths = [os.path.join(ROOT, p) for p in out.split("\0") if p]
    except (OSError, subprocess.SubprocessError):
        paths = []
        for folder, dirs, files in os.walk(ROOT):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith((".egg-info", "_cache"))]
            paths += [os.path.join(folder, name) for name in files]
    assert len(paths) > 50
    return [p for p in paths if os.path.isfile(p) and not p.endswith((".png", ".pyc")) and os.path.basename(p) != ".git"]


def test_nothing_in_the_repo_refers_to_files_outside_it():
    outside = re.compile(r"\.\./shared|/work/|paradex-api\.md|os\.path\.dirname\(ROOT\)")
    # the contract generator reads Paradex's spec files where a workspace keeps them beside the checkout, and
    # its staleness test skips (saying why) where they are not: optional inputs, not dependencies
    optional_inputs = {os.path.abspath(__file__), os.path.join(ROOT, "tools", "gen_contract.py"),
                       os.path.join(ROOT, "tests", "core", "test_contract.py")}
    hits = []
    for path in _text_files():
        if os.path.abspath(path) in optional_inputs:
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                if outside.search(line):
                    hits.append(f"{os.path.relpath(path, ROOT)}:{number}: {line.strip()}")
    assert not hits, "\n".join(hits)


def test_the_shipped_schema_and_its_licence():
    schema = os.path.join(DATA, "sbe", "paradex_1_2.xml")
    with open(schema, encoding="utf-8") as f:
        head = f.read(600)
    assert "Schema ID : 1" in head and "Version   : 2" in head
    with open(os.path.join(DATA, "sbe", "LICENSE-paradex-py"), encoding="utf-8") as f:
        assert "MIT License" in f.read()
    with open(os.path.join(ROOT, "LICENSE"), encoding="utf-8") as f:
        notice = f.read()
    assert "tests/data/sbe/paradex_1_2.xml" in notice and "tests/data/paradex_static_response.json" in notice


def _imported_modules():
    """Top-level modules ccxt_paradex imports anywhere (module level, inside functions, in try blocks)."""
    found = {}
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read(), path)
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    mods = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    mods = [node.module]
                else:
                    continue
                for mod in mods:
                    found.setdefault(mod.split(".")[0], os.path.relpath(path, ROOT))
            for node in ast.walk(tree):  # importlib.import_module("x") / __import__("x")
                if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                        "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                    found.setdefault(str(node.args[0].value).split(".")[0], os.path.relpath(path, ROOT))
    return found


@functools.lru_cache(maxsize=1)
def _top_level_by_files():
    """{top-level module: distributions} from the files every distribution records, read once."""
    out: dict = {}
    for dist in importlib.metadata.distributions():
        for f in dist.files or ():
            top = str(f).split("/", 1)[0]
            out.setdefault(top[:-3] if top.endswith(".py") else top, set()).add(canonicalize_name(dist.metadata["Name"]))
    return out


def _providers_by_files(mod):
    """The distributions whose files hold package ``mod`` (Python 3.10's packages_distributions() reads only
    top_level.txt, which wheels built by newer tools, rich's among them, no longer ship)."""
    return _top_level_by_files().get(mod, set())


def test_every_runtime_import_is_declared_and_starknet_py_is_not_one():
    declared = {canonicalize_name(r.name) for r in _requirements(_setup_cfg()["options"]["install_requires"])}
    third_party = {mod: where for mod, where in _imported_modules().items()
                   if mod not in sys.stdlib_module_names and mod != "ccxt_paradex"}
    assert "starknet_py" not in third_party, third_party.get("starknet_py")
    assert {"ccxt", "aiohttp", "eth_keys", "eth_hash", "fast_stark_crypto", "crypto_cpp_py"} <= set(third_party)
    dists = importlib.metadata.packages_distributions()
    extras = _setup_cfg()["options.extras_require"]
    # integrations that need a third-party program (python -m ccxt_paradex.freqtrade) declare it as their own
    # extra, imported only in their module
    optional = {canonicalize_name(r.name) for name in extras if name not in ("test", "bench")
                for r in _requirements(extras[name])}
    for mod, where in third_party.items():
        if canonicalize_name(mod) in optional:
            assert where == f"ccxt_paradex/{mod}.py", f"{mod} (an optional extra) imported in {where}"
            continue
        providers = {canonicalize_name(d) for d in dists.get(mod, ())} or _providers_by_files(mod)
        assert providers, f"{mod} (imported in {where}) is not installed here"
        assert providers & declared, f"{mod} (imported in {where}) comes from {providers}, not declared in setup.cfg"
    assert "starknet-py" not in declared
    test_extra = {canonicalize_name(r.name) for r in _requirements(_setup_cfg()["options.extras_require"]["test"])}
    assert {"starknet-py", "pytest-timeout", "hypothesis", "ruff"} <= test_extra


# fast-stark-crypto 0.5.0's wheels as PyPI lists them (pip download --no-deps --only-binary=:all: --platform TAG
# --python-version V): cp310-cp313 for manylinux_2_17/musllinux_1_2 x86_64, macosx_11_0_arm64 and win_amd64, plus
# musllinux_1_2_aarch64 (a marker cannot tell musl from glibc, whose aarch64 has none: left to the portable path).
# Its sdist needs a Rust toolchain, so the marker must not select it anywhere else.
NATIVE_WHEELS = {("Linux", "x86_64"), ("Darwin", "arm64"), ("Windows", "AMD64")}
NATIVE_VERSIONS = ("3.10", "3.11", "3.12", "3.13")


def test_native_wheel_and_portable_fallback_markers_are_exact_complements():
    reqs = {canonicalize_name(r.name): r for r in _requirements(_setup_cfg()["options"]["install_requires"])}
    native, portable = reqs["fast-stark-crypto"].marker, reqs["crypto-cpp-py"].marker
    assert isinstance(native, Marker) and isinstance(portable, Marker)
    machines, systems = ("x86_64", "aarch64", "arm64", "AMD64", "ARM64", "x86", "i686"), ("Linux", "Darwin", "Windows")
    versions = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
    selected = set()
    for impl, machine, system, version in itertools.product(("CPython", "PyPy"), machines, systems, versions):
        env = {"platform_python_implementation": impl, "platform_machine": machine, "platform_system": system,
               "python_version": version}
        assert native.evaluate(env) != portable.evaluate(env), env
        if native.evaluate(env):
            selected.add((impl, system, machine, version))
    # the native wheel exactly where one exists (no sympy / crypto-cpp-py in the runtime install there), and
    # nowhere pip would have to build it from source
    assert selected == {("CPython", system, machine, version) for system, machine in NATIVE_WHEELS
                        for version in NATIVE_VERSIONS}


def test_every_test_has_a_timeout(request):
    assert float(request.config.getini("timeout")) == 120  # unknown ini key (ValueError) without pytest-timeout


def test_ci_lints_with_the_configured_ruff():
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as f:
        ci = f.read()
    assert re.search(r"^ruff check \.$", ci, re.M)
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        assert "[tool.ruff.lint]" in f.read()


def test_an_install_carries_the_request_contract(tmp_path):
    """The simulator's conformance gate reads core/paradex_contract.json at run time: setup.cfg ships it."""
    out = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py",
                          "--build-lib", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    shipped = tmp_path / "ccxt_paradex" / "core" / "paradex_contract.json"
    assert shipped.is_file() and shipped.read_bytes() == open(os.path.join(PACKAGE, "core", "paradex_contract.json"), "rb").read()
