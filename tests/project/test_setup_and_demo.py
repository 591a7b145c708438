"""The README's set-up commands are exactly what CI runs, and the main job works."""
import os
import re
import subprocess
import sys

from conftest import ROOT


def _readme_commands():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    block = text.split("### Set-up\n", 1)[1].split("\n#", 1)[0]  # up to the next heading of any level
    return re.findall(r"```(?:bash|sh)?\n(.+?)\n```", block, re.S)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_them():
    commands = _readme_commands()
    assert len(commands) == 2, commands
    ci = open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8").read()
    for cmd in commands:
        assert cmd.strip() in ci, cmd


def test_demo_runs_offline_end_to_end():
    out = subprocess.run([sys.executable, "-m", "ccxt_paradex", "demo", "--seconds", "1"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for step in ("simulator listening on", "loaded 5 markets", "ticker BTC/USD:USDC", "placed  post-only buy",
                 "edited  price", "canceled; open orders now: 0", "market buy", "position: long", "streamed "):
        assert step in text, step
    assert "gaps detected: 0" in text
    assert "\x1b" not in text and "+ trades" not in text  # piped: plain lines, true counts
    # neither the demo's Ethereum key nor its derived STARK key is ever printed
    from ccxt_paradex.core import keys
    from ccxt_paradex.demo import DEMO_L1_KEY
    assert DEMO_L1_KEY[2:] not in text.lower()
    assert format(keys.derive_l2_private_key(DEMO_L1_KEY, 11155111), "x") not in text.lower()


def test_demo_testnet_path_with_the_simulator_standing_in_for_testnet(monkeypatch):
    """``demo --testnet`` cannot reach Paradex here: run its code path against the simulator serving as the
    sandbox URLs, with L2 credentials from the environment, as a testnet user would hold them."""
    import ccxt_paradex
    import ccxt_paradex.pro
    from ccxt_paradex import demo
    from ccxt_paradex.core import keys
    from ccxt_paradex.sim.thread import SimulatorThread

    l1 = "0x" + "6d" * 32
    with SimulatorThread(seed=5, tick_interval=0.05, initial_balance="2500") as sim:
        onboard = ccxt_paradex.paradex({"walletAddress": keys.eth_address(l1), "privateKey": l1, "urls": sim.ccxt_urls()})
        onboard.fetch_balance()  # the account exists on the venue, as a testnet account would
        l2 = keys.derive_l2_private_key(l1, 11155111)

        def with_sim_as_testnet(cls):
            class Sandboxed(cls):
                def describe(self):
                    d = super().describe()
                    d["urls"]["test"] = sim.ccxt_urls()["api"]
                    return d
            return Sandboxed
        monkeypatch.setattr(demo, "paradex_sync", with_sim_as_testnet(ccxt_paradex.paradex))
        monkeypatch.setattr(ccxt_paradex.pro, "paradex", with_sim_as_testnet(ccxt_paradex.pro.paradex))
        monkeypatch.setenv("PARADEX_STARKNET_ACCOUNT", hex(onboard._signer.account))
        monkeypatch.setenv("PARADEX_STARKNET_PRIVATE_KEY", hex(l2))
        lines = []
        result = demo.run(seconds=1.5, testnet=True, out=lines.append)
    text = "\n".join(lines)
    assert "Paradex TESTNET (read-only)" in text and "ticker BTC/USD:USDC" in text
    assert "authenticated as " + hex(onboard._signer.account) in text and "USDC total 2500" in text
    assert "open orders on BTC/USD:USDC: 0; positions: none" in text
    assert int(re.search(r"streamed (\d+) book updates", text).group(1)) > 0
    assert result["book"]["bids"] and result["balance"]["USDC"]["total"] == 2500
    assert format(l2, "x") not in text.lower() and "placed" not in text  # read-only, and the key is never printed


def _check_readme_against_results(readme, results):
    block = readme.split("<!-- bench:start -->", 1)[1].split("<!-- bench:end -->", 1)[0]
    table = [line for line in results.splitlines() if line.startswith("|")]
    assert [line for line in block.splitlines() if line.startswith("|")] == table and len(table) > 10
    why = readme.split("## Why use it", 1)[1].split("\n## ", 1)[0] + readme.split("## Install", 1)[0]
    visible = re.sub(r"<!--.*?-->", "", why)  # the figure markers report.py rewrites are not figures
    figures = re.findall(r"(\d[\d,]*\.?\d*) ?(ms|us|x\b|% of a core|frames/s)", visible)
    assert len(figures) >= 10
    for number, unit in figures:  # the whole figure with its unit, not digits found somewhere in the file
        assert re.search(r"(?<![\d.,])" + re.escape(number) + " ?" + re.escape(unit), results), (number, unit)
    # and every one of them sits in a marker report.py rewrites (a hand-typed figure would outlive its run)
    marked = re.findall(r"<!-- fig:[\w.]+ -->(.*?)<!-- /fig -->", why)
    assert sorted(re.sub(r"\s", "", n + u) for n, u in figures) == sorted(re.sub(r"\s", "", m) for m in marked), marked


def test_readme_numbers_come_from_bench_results():
    """The README's benchmark table is RESULTS.md's, and every figure the README quotes appears there and is
    one bench/report.py rewrites."""
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    results = open(os.path.join(ROOT, "bench", "RESULTS.md"), encoding="utf-8").read()
    _check_readme_against_results(readme, results)
    assert "![ours vs ccxt](results.svg)" in results and os.path.exists(os.path.join(ROOT, "bench", "results.svg"))


def _report():
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    try:
        import report
    finally:
        sys.path.pop(0)
    return report


def _synthetic_rows():
    """RESULTS.md's rows with every number new (as a fresh run would give)."""
    results = open(os.path.join(ROOT, "bench", "RESULTS.md"), encoding="utf-8").read()
    rows = []
    lines = [line for line in results.splitlines() if line.startswith("| ") and not line.startswith("| benchmark")]
    for i, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        unit = cells[2].split(" ", 1)[1]
        rows.append({"bench": cells[0], "metric": cells[1], "unit": unit, "ours": 1.2345 + i,
                     "ccxt": None if cells[3] == "-" else 98765.0 + i, "better": "lower", "note": ""})
    return rows


def _copy_readme(tmp_path):
    (tmp_path / "bench").mkdir()
    old = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    (tmp_path / "README.md").write_text(old, encoding="utf-8")
    return old


def test_report_rewrites_every_readme_figure_and_leaves_the_tree_consistent(tmp_path):
    """What ``python bench/report.py`` writes from a run (here: made-up figures, so every one changes) keeps
    README and RESULTS.md in step: the check above passes on the result and no old figure survives."""
    report = _report()
    old = _copy_readme(tmp_path)
    rows = _synthetic_rows()
    report.publish(rows, str(tmp_path))
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    results = (tmp_path / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    _check_readme_against_results(readme, results)
    for name in report.FIGURES:
        assert f"<!-- fig:{name} -->{report.figure_text(rows, name)}<!-- /fig -->" in readme, name
    old_why = re.findall(r"<!-- fig:([\w.]+) -->(.*?)<!-- /fig -->", old)
    new_why = re.findall(r"<!-- fig:([\w.]+) -->(.*?)<!-- /fig -->", readme)
    assert len(new_why) == len(old_why) >= len(report.FIGURES)
    # each place's figure is the new run's (compared place by place: a made-up value may equal another figure)
    assert [n for n, _ in new_why] == [n for n, _ in old_why]
    assert not [(n, a) for (n, a), (_, b) in zip(old_why, new_why) if a == b]
    svg = (tmp_path / "bench" / "results.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.count("<rect") == sum(1 for r in rows if report._ratio(r)) > 10


def test_report_refuses_a_run_without_a_published_figure(tmp_path):
    """A run that lacks a row the README quotes writes nothing (no README half old, half new)."""
    report = _report()
    old = _copy_readme(tmp_path)
    rows = [r for r in _synthetic_rows() if r["bench"] != "sbe"]
    try:
        report.publish(rows, str(tmp_path))
    except KeyError as e:
        assert "sbe" in str(e)
    else:
        raise AssertionError("a run without the sbe rows was published")
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == old
    assert not (tmp_path / "bench" / "RESULTS.md").exists() and not (tmp_path / "bench" / "results.svg").exists()


def test_report_publishes_medians_of_repeated_runs(tmp_path):
    """``--repeat N`` (the machine is shared): each figure is the median across runs, ours and ccxt alike."""
    report = _report()
    base = _synthetic_rows()
    runs = []
    for factor in (1.0, 3.0, 2.0):
        runs.append([dict(r, ours=r["ours"] * factor, ccxt=None if r["ccxt"] is None else r["ccxt"] / factor)
                     for r in base])
    rows = report.median_rows(runs)
    assert len(rows) == len(base)
    for row, b in zip(rows, base):
        assert row["ours"] == b["ours"] * 2.0 and row["runs"] == 3
        assert row["ccxt"] == (None if b["ccxt"] is None else b["ccxt"] / 2.0)
    _copy_readme(tmp_path)
    report.publish(rows, str(tmp_path), repeat=3)
    results = (tmp_path / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    assert "--repeat 3" in results and "median of 3 runs" in results
    _check_readme_against_results((tmp_path / "README.md").read_text(encoding="utf-8"), results)
