"""Derive the synchronous classes from the asyncio sources (as ccxt's transpiler does).

    python tools/gen_sync.py          write ccxt_paradex/<name>.py for every async_support/<name>.py
    python tools/gen_sync.py --check  exit 1 if a derived file is stale (the test suite runs this)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "ccxt_paradex", "async_support")
DST = os.path.join(ROOT, "ccxt_paradex")
SOURCES = tuple(sorted(n for n in os.listdir(SRC) if n.startswith("paradex") and n.endswith(".py")))

RULES = [
    (r"from ccxt\.async_support\.base\.exchange import Exchange", "from ccxt.base.exchange import Exchange"),
    (r"\bimport asyncio\b", "import threading"),
    (r"\basyncio\.Lock\(\)", "threading.Lock()"),
    (r"\basync def\b", "def"),
    (r"\basync with\b", "with"),
    (r"\bawait\s+", ""),
    (r"^from \.\.", "from ."),
]


def derive(name: str) -> str:
    with open(os.path.join(SRC, name), encoding="utf-8") as f:
        text = f.read()
    for pattern, repl in RULES:
        text = re.sub(pattern, repl, text, flags=re.M)
    banner = f"# GENERATED from ccxt_paradex/async_support/{name} by tools/gen_sync.py -- do not edit by hand.\n"
    return banner + text


def main(argv):
    check = "--check" in argv
    stale = []
    for name in SOURCES:
        target = os.path.join(DST, name)
        text = derive(name)
        current = open(target, encoding="utf-8").read() if os.path.exists(target) else None
        if current != text:
            stale.append(name)
            if not check:
                with open(target, "w", encoding="utf-8") as f:
                    f.write(text)
    if check and stale:
        print("stale derived sync files (run python tools/gen_sync.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
