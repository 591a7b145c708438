"""The house plan, pinned: each layer imports only the layers below it, and no module imports itself back through
others (imports inside functions included). README's "Where things live" table says the same in words."""
import ast
import os

from conftest import ROOT

PACKAGE = os.path.join(ROOT, "ccxt_paradex")
SYNC_TWINS = {"paradex", "paradex_account", "paradex_algo", "paradex_auth", "paradex_history", "paradex_orders",
              "paradex_trading"}
#: layer -> the layers it may import (the users of the package, demo / freqtrade / __main__ / namespace, may
#: import anything)
ALLOWED = {
    "core": set(),
    "adapters": {"core"},
    "async_support": {"core", "adapters"},
    "sync": {"core", "adapters"},
    "pro": {"core", "adapters", "async_support"},
    "sim": {"core", "pro"},
}


def _modules():
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                module = os.path.relpath(path[:-3], ROOT).replace(os.sep, ".")
                yield path, module.removesuffix(".__init__"), name == "__init__.py"


def _imports(path, module, is_package):
    """Every ccxt_paradex module ``path`` imports, at any depth of its code."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                out |= {target} if node.module else {target + "." + a.name for a in node.names}
            elif node.module:
                out |= {node.module} | {node.module + "." + a.name for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return {t for t in out if t.split(".")[0] == "ccxt_paradex"}


def _layer(module):
    parts = module.split(".")
    if len(parts) < 2:
        return "package"
    return "sync" if parts[1] in SYNC_TWINS else parts[1]


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for path, module, is_package in _modules():
        layer = _layer(module)
        if layer not in ALLOWED:
            continue
        for target in _imports(path, module, is_package):
            other = _layer(target)
            if other != layer and other in ALLOWED and other not in ALLOWED[layer]:
                wrong.append(f"{module} ({layer}) imports {target} ({other})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_circle():
    modules = {module: (path, is_package) for path, module, is_package in _modules()}
    graph = {m: {t for t in _imports(p, m, pkg) if t in modules and t != m} for m, (p, pkg) in modules.items()}
    for m in graph:  # a package's own __init__ importing its submodules is not a circle of theirs
        graph[m] = {t for t in graph[m] if not m.startswith(t + ".")}
    state, cycles = {}, []

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"
    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_a_mixin_reaches_private_helpers_only_through_bases_it_imports():
    """A mixin's ``self._helper(...)`` is defined by the mixin itself or by a base class it imports: whoever edits
    the helper sees every caller in the import graph (pro/trading.py used to reach paradex_trading.py's helpers
    through ``self`` with no import showing it)."""
    import importlib
    import inspect
    import re
    ours: dict = {}  # private helper -> the modules defining it
    classes = []
    for path, module, _ in _modules():
        if not module.startswith(("ccxt_paradex.async_support.", "ccxt_paradex.pro.", "ccxt_paradex.adapters.")):
            continue
        mod = importlib.import_module(module)
        for cls in vars(mod).values():
            if inspect.isclass(cls) and cls.__module__ == module:
                classes.append((path, cls))
                for attr in vars(cls):
                    if attr.startswith("_") and not attr.startswith("__"):
                        ours.setdefault(attr, set()).add(module)
    assert len(classes) > 10
    wrong = []
    for _path, cls in classes:
        if cls.__name__ == "paradex":  # the composed classes: every mixin is their base
            continue
        source = inspect.getsource(cls)
        for helper in sorted(set(re.findall(r"self\.(_[a-z]\w*)\(", source))):
            if helper in ours and not hasattr(cls, helper):
                wrong.append(f"{cls.__module__}.{cls.__name__} calls self.{helper}() of {sorted(ours[helper])} "
                             f"without that mixin among its bases")
    assert not wrong, "\n".join(wrong)
