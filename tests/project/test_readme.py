"""README.md as a user reads it: every ```python block runs (against a simulator where it names one), the
generated parts are current, and every row of the migration table names a test that exists."""
import ast
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

README = os.path.join(ROOT, "README.md")


def _readme():
    with open(README, encoding="utf-8") as f:
        return f.read()


def _python_blocks():
    text = _readme()
    return [(text[:m.start()].count("\n") + 1, m.group(1)) for m in re.finditer(r"```python\n(.*?)```", text, re.S)]


def test_generated_parts_are_current():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_readme.py"), "--check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_endpoint_count_is_the_tables():
    from ccxt_paradex.core import api
    assert f"**{len(api._routes())} endpoints** ({2 * len(api._routes())} method names" in _readme()


def test_the_first_runnable_snippet_is_near_the_top_and_the_quick_start_follows_the_issue_order():
    blocks = _python_blocks()
    assert blocks and blocks[0][0] <= 60, blocks[0][0]
    headings = re.findall(r"^## (.+)$", _readme(), re.M)
    order = ["Install", "Quick start", "Credentials", "Migrating from `ccxt.paradex`", "Methods", "Troubleshooting",
             "Development", "Benchmarks"]
    assert [h for h in headings if h in order] == order, headings


def test_every_migration_row_names_a_test_that_exists():
    table = _readme().split("<!-- migration:start -->", 1)[1].split("<!-- migration:end -->", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "pinned by" not in line]
    assert len(rows) >= 12
    for row in rows:
        node = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", row)
        assert node, row
        path, name = node[-1]
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        names = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        assert name in names, f"{path}::{name} (README migration row) does not exist"


SIM_OPTIONS = dict(seed=2, tick_interval=0.05)  # (the module's simulator: the sim fixture of tests/conftest.py)


@pytest.mark.parametrize("line,code", _python_blocks(), ids=lambda v: f"line{v}" if isinstance(v, int) else "")
def test_readme_python_block_runs(sim, line, code, tmp_path):
    """Each block as a user would paste it, the simulator's address standing in for the README's port 8080."""
    code = code.replace("http://127.0.0.1:8080", sim.base_url).replace("ws://127.0.0.1:8080", sim.ws_url[:-len("/v1")])
    script = tmp_path / "block.py"
    script.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARADEX_")}
    out = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, f"README block at line {line} failed:\n{out.stderr[-3000:]}"
