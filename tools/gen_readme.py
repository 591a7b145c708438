"""Write README.md's generated parts from the code, so they cannot drift from it.

    python tools/gen_readme.py           rewrite the parts between their markers
    python tools/gen_readme.py --check   exit 1 if README.md is stale (tests/project/test_readme.py runs this)

Parts: the unified-method table (``<!-- methods:start -->`` ... ``<!-- methods:end -->``): every ``has`` flag
that ccxt 4.5.90's ``ccxt.pro.paradex`` or ours (``ccxt_paradex.pro.paradex``, which includes the REST methods)
sets true, with both values; and the implicit-API counts (``<!-- endpoints -->`` ... ``<!-- /endpoints -->``).
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
sys.path.insert(0, ROOT)

# market-type flags, not methods
NOT_METHODS = {"CORS", "spot", "margin", "swap", "future", "option", "sandbox", "publicAPI", "privateAPI", "ws"}


def _flags():
    import ccxt.pro

    import ccxt_paradex.pro
    theirs, ours = ccxt.pro.paradex(), ccxt_paradex.pro.paradex()
    names = sorted(k for k in set(theirs.has) | set(ours.has)
                   if k not in NOT_METHODS and (theirs.has.get(k) is True or ours.has.get(k) is True))
    return [(name, theirs.has.get(name) is True, ours.has.get(name) is True) for name in names]


def methods_table() -> str:
    rows = _flags()
    both = sum(t and o for _, t, o in rows)
    ours_only = sum(o and not t for _, t, o in rows)
    theirs_only = sum(t and not o for _, t, o in rows)
    lines = [f"{len(rows)} unified methods: {both} in both, {ours_only} only in ccxt_paradex, {theirs_only} only in "
             "ccxt's built-in (`has` of the ccxt.pro classes, which include the REST methods).", "",
             "<details><summary>The table</summary>", "",
             "| method | ccxt 4.5.90 `paradex` | ccxt_paradex |", "|---|---|---|"]
    for name, theirs, ours in rows:
        lines.append(f"| `{name}` | {'yes' if theirs else '-'} | {'yes' if ours else '-'} |")
    lines += ["", "</details>"]
    return "\n".join(lines)


def endpoint_counts() -> str:
    from ccxt_paradex.core.api_table import ImplicitAPI
    names = [n for n, e in vars(ImplicitAPI).items() if hasattr(e, "config")]
    endpoints = {id(vars(ImplicitAPI)[n]) for n in names}  # (an endpoint's two names share one Entry)
    return f"**{len(endpoints)} endpoints** ({len(names)} method names, camelCase and snake_case)"


def render(text: str) -> str:
    def block(text, start, end, body):
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
        if not pattern.search(text):
            raise KeyError(f"README.md has no {start} ... {end} markers")
        return pattern.sub(lambda m: start + "\n" + body + "\n" + end, text, count=1)
    text = block(text, "<!-- methods:start -->", "<!-- methods:end -->", methods_table())
    return re.sub(r"<!-- endpoints -->.*?<!-- /endpoints -->", lambda m: "<!-- endpoints -->" + endpoint_counts()
                  + "<!-- /endpoints -->", text, flags=re.S)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if README.md's generated parts are stale")
    args = ap.parse_args(argv)
    with open(README, encoding="utf-8") as f:
        text = f.read()
    new = render(text)
    if args.check:
        print("README.md is current" if new == text else "README.md is STALE: run python tools/gen_readme.py")
        return 0 if new == text else 1
    if new != text:
        with open(README, "w", encoding="utf-8") as f:
            f.write(new)
    print("README.md generated parts written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
