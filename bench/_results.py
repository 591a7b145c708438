"""Benchmarks print for people and, when BENCH_JSON names a file, append one JSON line per figure for
bench/report.py: {"bench", "metric", "unit", "ours", "ccxt", "better": "lower"|"higher", "note"}."""
import json
import os
import platform


def emit(bench, metric, unit, ours, ccxt=None, better="lower", note=""):
    path = os.environ.get("BENCH_JSON")
    if not path:
        return
    row = {"bench": bench, "metric": metric, "unit": unit, "ours": ours, "ccxt": ccxt, "better": better, "note": note}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")


def machine() -> str:
    return f"{platform.machine()} {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}"
