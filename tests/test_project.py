"""The README's set-up commands are exactly what CI runs, and the main job works."""
import os
import re
import subprocess
import sys

from conftest import ROOT


def _readme_commands():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    block = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:bash|sh)?\n(.+?)\n```", block, re.S)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_them():
    commands = _readme_commands()
    assert len(commands) == 2, commands
    ci = open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8").read()
    for cmd in commands:
        assert cmd.strip() in ci, cmd


def test_demo_runs_offline_and_verifies():
    out = subprocess.run([sys.executable, "-m", "ccxt_paradex", "demo", "--orders", "20"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "verifies: True" in out.stdout
    assert "0x129c135ed63df9353885e292be4426b8ed6122b13c6c0e1bb787288a1f5adfa" in out.stdout
    # the L2 private key never appears in output
    assert "543b6cf6c91817a87174aaea4fb370ac1c694e864d7740d728f8344d53e815" not in out.stdout
