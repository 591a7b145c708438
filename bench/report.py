"""Run every benchmark, then write bench/RESULTS.md (medians, ratios, machine), bench/results.svg and every
speed figure README.md quotes.

    python bench/report.py [--quick]        (or: tox -e report)
    python bench/report.py --from-json RUN.jsonl   (present an earlier run's figures)

Each benchmark measures ccxt_paradex and ccxt's built-in paradex in the same run and appends its figures
as JSON lines (bench/_results.py); this script only collects and presents them. README.md gets the
RESULTS.md table between its bench markers, and each figure written as ``<!-- fig:NAME -->...<!-- /fig -->``
(NAME from FIGURES below) is rewritten from the same run, so no published figure outlives its run. The
chart is plain SVG written here (no plotting library needed, so it is never left behind by a run).
"""
import argparse
import datetime
import html
import json
import os
import re
import math
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _results import machine  # noqa: E402

# (script, extra args, quick args, extra environment)
BENCHES = [
    ("sign.py", [], ["--orders", "100", "--ccxt-orders", "10"], {}),
    ("sign.py", ["--orders", "100", "--ccxt-orders", "10"], ["--orders", "50", "--ccxt-orders", "5"],
     {"PARADEX_CRYPTO_BACKEND": "portable"}),
    ("orders.py", [], ["--quick"], {}),
    ("sbe.py", [], ["--frames", "60"], {}),
    ("book.py", [], ["--updates", "60000"], {}),
    ("ws_book.py", [], ["--quick"], {}),
    # the wake segment alone (issue 31): a parked watcher resolved per frame, ours vs ccxt vs a bare asyncio loop
    ("ws_wake.py", [], ["--quick"], {}),
    ("ws_orders.py", [], ["--orders", "500"], {}),
    ("ws_load.py", [], ["--seconds", "4"], {}),
    # nine interleaved rounds, medians: ours, ccxt and the floor side by side on a drifting machine
    ("ws_feed.py", ["--seconds", "4", "--repeat", "9"], ["--seconds", "4", "--burst-seconds", "2"], {}),
    # the client on uvloop (the optional extra); ws_feed.py says so and emits nothing when uvloop is missing
    ("ws_feed.py", ["--uvloop", "--seconds", "4", "--repeat", "9"], ["--uvloop", "--seconds", "4", "--burst-seconds", "2"], {}),
]


SIGN = ("sign", "order typed-data hash + STARK signature")
ORDER = ("orders", "create_order (limit), client CPU, warm")
BATCH = ("orders", "create_orders x50, client CPU")
BATCH_WALL = ("orders", "create_orders x50, wall (options['signThreads'] default)")
SBE_FAST = ("sbe", "SBE 15x15 book frame -> levels (fast path)")
SBE_DICT = ("sbe", "SBE 15x15 book frame -> dict")
LOAD_P99 = ("ws_load", "p99 book staleness at arrival (50 markets, book feed on one socket)")
LOAD_CPU = ("ws_load", "client CPU (50 markets, book feed on one socket)")
FEED = "50 markets x 20 frames/s, one socket, asyncio"
FEED_CPU = ("ws_feed", f"client CPU per book frame, paced ({FEED})")
FEED_P99 = ("ws_feed", f"p99 staleness, paced ({FEED})")
FEED_FLOOR = ("ws_feed", f"floor: bare aiohttp reader, CPU per frame, paced ({FEED})")
FEED_ABOVE = ("ws_feed", f"client CPU above the floor, paced ({FEED})")
FEED_BURST = ("ws_feed", "burst: frames applied, 1 market back-to-back, one watch loop")
#: README figure name -> (bench, metric, 'ours' | 'ccxt' | 'ratio', unit written after the number or None for the
#: row's own unit)
FIGURES = {
    "sign.ratio": SIGN + ("ratio", None), "sign.ours": SIGN + ("ours", None), "sign.ccxt": SIGN + ("ccxt", None),
    "order.ours": ORDER + ("ours", None), "order.ccxt": ORDER + ("ccxt", None),
    "batch.ours": BATCH + ("ours", None), "batch.ccxt": BATCH + ("ccxt", None),
    "batch.wall.ours": BATCH_WALL + ("ours", None),
    "sbe.ratio": SBE_FAST + ("ratio", None), "sbe.fast.ours": SBE_FAST + ("ours", "us"),
    "sbe.dict.ours": SBE_DICT + ("ours", "us"), "sbe.ccxt": SBE_FAST + ("ccxt", "us"),
    "load.p99.ours": LOAD_P99 + ("ours", None), "load.p99.ccxt": LOAD_P99 + ("ccxt", None),
    "load.cpu.ours": LOAD_CPU + ("ours", None), "load.cpu.ccxt": LOAD_CPU + ("ccxt", None),
    "feed.cpu.ours": FEED_CPU + ("ours", "us"), "feed.cpu.ccxt": FEED_CPU + ("ccxt", "us"),
    "feed.cpu.ratio": FEED_CPU + ("ratio", None), "feed.floor": FEED_FLOOR + ("ours", "us"),
    "feed.above.ours": FEED_ABOVE + ("ours", "us"), "feed.above.ccxt": FEED_ABOVE + ("ccxt", "us"),
    "feed.p99.ours": FEED_P99 + ("ours", None), "feed.p99.ccxt": FEED_P99 + ("ccxt", None),
    "feed.burst.ours": FEED_BURST + ("ours", None), "feed.burst.ccxt": FEED_BURST + ("ccxt", None),
}
FIGURE = re.compile(r"<!-- fig:([\w.]+) -->(.*?)<!-- /fig -->")


def figure_text(rows, name):
    """The README text of figure ``name``, formatted exactly as RESULTS.md prints it."""
    bench, metric, field, unit = FIGURES[name]
    row = next((r for r in rows if r["bench"] == bench and r["metric"] == metric), None)
    if row is None:
        raise KeyError(f"README figure {name!r}: this run has no row {bench!r} / {metric!r}")
    if field == "ratio":
        ratio = _ratio(row)
        if not ratio:
            raise KeyError(f"README figure {name!r}: row {bench!r} / {metric!r} has no ratio")
        return "%.1fx" % ratio
    if row[field] is None:
        raise KeyError(f"README figure {name!r}: row {bench!r} / {metric!r} has no {field} figure")
    return f"{_fmt(row[field])} {unit or row['unit']}"


def update_figures(text, rows):
    """Every ``<!-- fig:NAME -->...<!-- /fig -->`` in ``text`` rewritten from ``rows``; an unknown NAME or a
    figure the run lacks raises (a stale figure is never left in place)."""
    def sub(m):
        if m.group(1) not in FIGURES:
            raise KeyError(f"README figure {m.group(1)!r} is not in bench/report.py's FIGURES")
        return f"<!-- fig:{m.group(1)} -->{figure_text(rows, m.group(1))}<!-- /fig -->"
    return FIGURE.sub(sub, text)


def run_all(quick: bool, out_path: str):
    env_base = dict(os.environ, BENCH_JSON=out_path)
    for script, args, quick_args, env in BENCHES:
        path = os.path.join(HERE, script)
        if not os.path.exists(path):
            continue
        cmd = [sys.executable, path] + (quick_args if quick else args)
        print("$", " ".join(os.path.relpath(c) if c == path else c for c in cmd[1:]),
              " ".join(f"{k}={v}" for k, v in env.items()), flush=True)
        subprocess.run(cmd, env=dict(env_base, **env), check=True)


def median_rows(runs):
    """Rows of several runs of the benchmarks -> one row per (bench, metric), ours and ccxt the medians across
    runs (the machine is shared: one run can be unlucky); notes from the first run that had the row."""
    merged = {}
    for rows in runs:
        for row in rows:
            merged.setdefault((row["bench"], row["metric"]), []).append(row)
    out = []
    for group in merged.values():
        row = dict(group[0])
        for field in ("ours", "ccxt"):
            values = [r[field] for r in group if r[field] is not None]
            row[field] = statistics.median(values) if values else None
        if len(runs) > 1:
            row["runs"] = len(group)
        out.append(row)
    return out


def _ratio(row):
    ours, ccxt = row["ours"], row["ccxt"]
    if not ours or not ccxt:
        return None
    return ccxt / ours if row["better"] == "lower" else ours / ccxt


def _fmt(value):
    if value is None:
        return "-"
    return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"


def write_markdown(rows, path, quick, repeat=1):
    args = (" --quick" if quick else "") + (f" --repeat {repeat}" if repeat > 1 else "")
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `python bench/report.py{args}` on "
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; machine: {machine()}.",
        "Each row measures ccxt_paradex and ccxt 4.5.90's built-in `paradex` in the same process run.",
        "Simulator-based rows run against `ccxt_paradex.sim` on loopback, never against Paradex itself.",
    ] + ([f"Each figure is the median of {repeat} runs of every benchmark (ratios: of the medians)."] if repeat > 1 else []) + [
        "",
        "| benchmark | figure | ccxt_paradex | ccxt built-in | ours vs ccxt |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = _ratio(row)
        unit = row["unit"]
        lines.append(f"| {row['bench']} | {row['metric']}{' (' + row['note'] + ')' if row.get('note') else ''} | "
                     f"{_fmt(row['ours'])} {unit} | {_fmt(row['ccxt'])}{' ' + unit if row['ccxt'] is not None else ''} | "
                     f"{('%.1fx' % ratio) if ratio else '-'} |")
    lines += ["", "Ratios read 'how many times better ours is' (faster, or more throughput).", "",
              "![ours vs ccxt](results.svg)", ""]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def table_lines(markdown_path):
    with open(markdown_path, encoding="utf-8") as f:
        return [line for line in f.read().splitlines() if line.startswith("|")]


def readme_text(text, results_path, rows):
    """README with RESULTS.md's table between the bench markers and every marked figure from ``rows``."""
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in text or end not in text:
        raise KeyError("README.md has no <!-- bench:start --> / <!-- bench:end --> markers")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    body = "\n".join(table_lines(results_path))
    return update_figures(head, rows) + start + "\n" + body + "\n" + end + update_figures(tail, rows)


def write_chart(rows, path):
    """A horizontal bar chart of the ratios, log scale, as plain SVG (no plotting library)."""
    rated = [(f"{r['bench']}: {r['metric']}", _ratio(r)) for r in rows if _ratio(r)]
    label_w, bar_w, row_h, top = 560, 380, 20, 40
    height = top + row_h * len(rated) + 40
    high = max([r for _, r in rated] + [10.0])
    scale = bar_w / math.log10(high * 1.5)  # 1x at the left edge

    def x(ratio):
        return label_w + max(0.0, math.log10(max(ratio, 1.0))) * scale

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 80}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="8" y="20" font-size="12">{html.escape(f"ccxt_paradex vs ccxt 4.5.90 paradex - {machine()}")}'
           f'</text>']
    for i, (label, ratio) in enumerate(rated):
        y = top + i * row_h
        short = label if len(label) <= 92 else label[:89] + "..."
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{html.escape(short)}</text>')
        width = max(1.0, x(ratio) - label_w)
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 6}" fill="#3b6fb6"/>')
        out.append(f'<text x="{label_w + width + 4:.1f}" y="{y + 14}">{ratio:,.1f}x</text>')
    axis_y = top + row_h * len(rated) + 4
    out.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{axis_y}" stroke="#999"/>')
    decade = 1
    while decade <= high * 1.5:
        out.append(f'<text x="{x(decade):.1f}" y="{axis_y + 14}" text-anchor="middle" fill="#555">{decade:,}x</text>')
        decade *= 10
    out.append(f'<text x="{label_w}" y="{axis_y + 30}" fill="#555">x times better than ccxt built-in '
               f'(log scale; rows without a ccxt figure are not drawn)</text>')
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return True


def publish(rows, root, quick=False, repeat=1):
    """Write RESULTS.md, results.svg and README.md under ``root`` from one run's rows. The README is
    computed before anything is written, so a figure the run lacks stops it with nothing half-updated."""
    bench_dir = os.path.join(root, "bench")
    results_path = os.path.join(bench_dir, "RESULTS.md")
    readme_path = os.path.join(root, "README.md")
    tmp_results = results_path + ".new"
    write_markdown(rows, tmp_results, quick, repeat)
    with open(readme_path, encoding="utf-8") as f:
        readme = f.read()
    try:
        readme = readme_text(readme, tmp_results, rows)
    except KeyError:
        os.remove(tmp_results)
        raise
    os.replace(tmp_results, results_path)
    with open(readme_path, "w", encoding="utf-8") as f:
        f.write(readme)
    write_chart(rows, os.path.join(bench_dir, "results.svg"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer samples (a minute instead of several)")
    ap.add_argument("--repeat", type=int, default=1, help="run every benchmark N times and publish the medians")
    ap.add_argument("--from-json", nargs="+", help="present earlier runs' JSON lines (one file a run) instead of running")
    args = ap.parse_args(argv)
    if args.from_json:
        paths = args.from_json
    else:
        paths = []
        for i in range(args.repeat):
            paths.append(tempfile.mktemp(suffix=f".run{i + 1}.jsonl"))
            print(f"== run {i + 1} of {args.repeat}", flush=True)
            run_all(args.quick, paths[-1])
        print(f"figures of this run: {' '.join(paths)}")
    runs = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            runs.append([json.loads(line) for line in f if line.strip()])
    rows = median_rows(runs)
    try:
        publish(rows, os.path.dirname(HERE), args.quick, len(runs))
    except KeyError as e:
        sys.exit(f"bench/report.py: {e.args[0]}; nothing written")
    print(f"wrote bench/RESULTS.md, bench/results.svg and README.md's figures ({len(rows)} figures)")


if __name__ == "__main__":
    main()
