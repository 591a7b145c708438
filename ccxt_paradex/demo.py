"""``python -m ccxt_paradex demo``: the whole connector against the embedded simulator, offline.

Plain ccxt calls on ``ccxt_paradex.paradex`` (REST): markets, ticker, book, a post-only order
placed, edited and canceled, a market order filled, the position; then a live terminal view
(book + trades) streamed for a few seconds by ``ccxt_paradex.pro.paradex`` over SBE.
``--testnet`` runs the read-only part against real Paradex testnet instead.
"""
import asyncio
import os
import sys
import time
from decimal import Decimal

from . import paradex as paradex_sync
from .core import backend, keys

# A throw-away Ethereum key (paradex-py's published test key). It only ever signs for the simulator.
DEMO_L1_KEY = "0xf8e4d1d772cdd44e5e77615ad11cc071c94e4c06dc21150d903f28e6aa6abdff"


class DemoError(Exception):
    """A bad argument or an unreachable venue: ``python -m ccxt_paradex demo`` prints it as one line."""


def _decimals(step) -> int:
    """Decimal places of a market step (0.1 -> 1, 1e-05 -> 5, 10 -> 0)."""
    exponent = Decimal(str(step)).normalize().as_tuple().exponent if step else -8
    return max(0, -exponent) if isinstance(exponent, int) else 8


class Fmt:
    """Prices and sizes printed in one market's precision: 0.024997, never 'avg 0.02'; 0.00001, never '1e-05'."""

    def __init__(self, market):
        precision = market.get("precision") or {}
        self.price_dp = _decimals(precision.get("price"))
        self.amount_dp = _decimals(precision.get("amount"))

    def price(self, x, extra=0):
        """``extra`` more places for a figure that may fall between ticks (an average), trailing zeros beyond
        the tick's places dropped."""
        if x is None:
            return "-"
        text = f"{x:.{self.price_dp + extra}f}"
        for _ in range(extra):
            if text.endswith("0"):
                text = text[:-1]
        return text.rstrip(".") if self.price_dp == 0 else text

    def amount(self, x):
        return "-" if x is None else f"{x:.{self.amount_dp}f}"

    @staticmethod
    def money(x):
        return "-" if x is None else f"{x:.2f}"


def _fmt_book(book, fmt, depth=5):
    rows = [f"{'bid size':>14} {'bid':>14} | {'ask':<14} {'ask size':<14}"]
    for i in range(depth):
        b = book["bids"][i] if i < len(book["bids"]) else (None, None)
        a = book["asks"][i] if i < len(book["asks"]) else (None, None)
        rows.append(f"{_cell(fmt.amount, b[1]):>14} {_cell(fmt.price, b[0]):>14} | "
                    f"{_cell(fmt.price, a[0]):<14} {_cell(fmt.amount, a[1]):<14}")
    return rows


def _cell(f, x):
    return "" if x is None else f(x)


def check_symbol(ex, symbol):
    if symbol not in ex.markets:
        raise DemoError(f"unknown symbol {symbol!r}; valid symbols: {', '.join(sorted(ex.symbols))}")
    return ex.market(symbol)


class LiveView:
    """The live book + trades panel on a terminal, drawn by ``rich``'s ``Live``: each frame replaces the last in
    place (rich moves the cursor back over the lines it drew and erases them), lines are cropped to the terminal
    width and the panel to its height, so nothing wraps or smears however far the terminal has scrolled."""

    def __init__(self, console=None):
        from rich.console import Console
        from rich.live import Live

        self.live = Live(console=console or Console(), auto_refresh=False, transient=False,
                         vertical_overflow="crop", redirect_stdout=False, redirect_stderr=False)
        self.live.start()

    def draw(self, renderable):
        self.live.update(renderable, refresh=True)

    def close(self):
        """The last frame stays on screen; the cursor is shown again."""
        self.live.stop()


def live_panel(title, book, fmt, trades, trade_count, depth=5):
    """One frame of the live view as a rich renderable: a title line, the book's top ``depth`` levels, the last
    trades (``trade_count`` is every trade seen, the list the last few)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    levels = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 1))
    for name, justify, style in (("bid size", "right", "green"), ("bid", "right", "bold green"),
                                 ("ask", "left", "bold red"), ("ask size", "left", "red")):
        levels.add_column(name, justify=justify, style=style, min_width=12, no_wrap=True, overflow="crop")
    for i in range(depth):
        b = book["bids"][i] if i < len(book["bids"]) else (None, None)
        a = book["asks"][i] if i < len(book["asks"]) else (None, None)
        levels.add_row(_cell(fmt.amount, b[1]), _cell(fmt.price, b[0]), _cell(fmt.price, a[0]), _cell(fmt.amount, a[1]))
    lines = [Text(title, no_wrap=True, overflow="crop", style="bold"), levels,
             Text(f"last trades ({trade_count} so far):", no_wrap=True, overflow="crop")]
    lines += [Text(f"  {t['side']:<4} {fmt.amount(t['amount'])} @ {fmt.price(t['price'])}", no_wrap=True,
                   overflow="crop", style="green" if t["side"] == "buy" else "red") for t in trades]
    return Group(*lines)


def _credentials(testnet):
    if not testnet:
        return {"walletAddress": keys.eth_address(DEMO_L1_KEY), "privateKey": DEMO_L1_KEY}
    if os.environ.get("PARADEX_L1_PRIVATE_KEY"):
        return {"privateKey": os.environ["PARADEX_L1_PRIVATE_KEY"], "walletAddress": os.environ.get("PARADEX_L1_ADDRESS")}
    return {}  # PARADEX_STARKNET_ACCOUNT / PARADEX_STARKNET_PRIVATE_KEY are read by the class itself


def load_checked(ex, symbol) -> float:
    """Markets loaded and ``symbol`` checked before anything is printed -> the load time (ms)."""
    t = time.perf_counter()
    ex.load_markets()
    check_symbol(ex, symbol)
    return (time.perf_counter() - t) * 1e3


def rest_tour(ex, symbol, out, trade=True, load_ms=None) -> dict:
    if load_ms is None:
        load_ms = load_checked(ex, symbol)
    out(f"loaded {len(ex.markets)} markets in {load_ms:.0f} ms: {', '.join(sorted(ex.symbols))}")
    fmt = Fmt(check_symbol(ex, symbol))
    ticker = ex.fetch_ticker(symbol)
    out(f"ticker {symbol}: last {fmt.price(ticker['last'])}  bid {fmt.price(ticker['bid'])}  "
        f"ask {fmt.price(ticker['ask'])}  mark {fmt.price(ticker['markPrice'])}")
    book = ex.fetch_order_book(symbol, 5)
    out(f"order book (seq_no {book['nonce']}):")
    for row in _fmt_book(book, fmt):
        out("  " + row)
    result = {"book": book}
    if not trade:
        return result
    t = time.perf_counter()
    balance = ex.fetch_balance()
    out(f"authenticated and fetched the balance in {(time.perf_counter() - t) * 1e3:.0f} ms (L1 -> L2 key derivation, "
        f"onboarding, STARK-signed /auth, JWT): USDC {fmt.money(balance['USDC']['total'])}")
    bid = book["bids"][0][0]
    price = float(ex.price_to_precision(symbol, bid * 0.97))
    amount = float(ex.amount_to_precision(symbol, 20 / price))
    t = time.perf_counter()
    order = ex.create_order(symbol, "limit", "buy", amount, price, {"postOnly": True, "clientOrderId": "demo-1"})
    out(f"placed  post-only buy {fmt.amount(amount)} @ {fmt.price(price)}: id {order['id']} status {order['status']} "
        f"({(time.perf_counter() - t) * 1e3:.1f} ms incl. STARK signature)")
    edited = ex.edit_order(order["id"], symbol, price=float(ex.price_to_precision(symbol, price * 0.99)))
    out(f"edited  price -> {fmt.price(edited['price'])} (amount kept {fmt.amount(edited['amount'])}, "
        f"postOnly kept {edited['postOnly']}; "
        f"ModifyOrder signed)")
    ex.cancel_order(order["id"], symbol)
    out(f"canceled; open orders now: {len(ex.fetch_open_orders(symbol))}")
    filled = ex.create_order(symbol, "market", "buy", amount)
    fills = [t for t in ex.fetch_my_trades(symbol) if t["order"] == filled["id"]]
    size = sum(t["amount"] for t in fills)
    avg = sum(t["price"] * t["amount"] for t in fills) / size if size else None
    out(f"market buy {fmt.amount(amount)}: order {filled['id']}, {len(fills)} fill(s), "
        f"avg {fmt.price(avg, extra=2)}")  # an average of fills may fall between ticks: 2 more places
    position = ex.fetch_position(symbol)
    out(f"position: {position['side']} {fmt.amount(position['contracts'])} @ {fmt.price(position['entryPrice'], extra=2)}  "
        f"uPnL {fmt.money(position['unrealizedPnl'])}  leverage {position['leverage']}")
    balance = ex.fetch_balance()
    out(f"balance: USDC total {fmt.money(balance['USDC']['total'])}  free {fmt.money(balance['USDC']['free'])}")
    result.update(order=order, edited=edited, position=position)
    return result


def account_tour(ex, symbol, out) -> dict:
    """Read-only: authenticate, then balance, open orders and positions (nothing is placed on a real venue)."""
    t = time.perf_counter()
    balance = ex.fetch_balance()
    out(f"authenticated as {hex(ex._signer.account)} (STARK-signed /auth, JWT) and fetched the balance in "
        f"{(time.perf_counter() - t) * 1e3:.0f} ms: USDC total {Fmt.money(balance['USDC']['total'])} "
        f"free {Fmt.money(balance['USDC']['free'])}")
    orders, positions = ex.fetch_open_orders(symbol), ex.fetch_positions()
    out(f"open orders on {symbol}: {len(orders)}; positions: "
        + (", ".join(f"{p['symbol']} {p['side']} {Fmt(ex.market(p['symbol'])).amount(p['contracts'])}"
                     for p in positions) or "none"))
    return {"balance": balance, "open_orders": orders, "positions": positions}


async def live_view(config, symbol, seconds, out, tty, sandbox=False, console=None):
    """Book + trades for ``seconds``: redrawn in place on a terminal (``tty``), else a plain line a second."""
    from .pro import paradex as paradex_pro

    ex = paradex_pro(config)
    if sandbox:
        ex.set_sandbox_mode(True)
    state = {"book": None, "trades": [], "books": 0, "trade_count": 0}

    async def books():
        while True:
            state["book"] = await ex.watch_order_book(symbol, 5)
            state["books"] += 1

    async def trades():
        while True:
            new = await ex.watch_trades(symbol)
            state["trade_count"] += len(new)
            state["trades"] = (state["trades"] + list(new))[-5:]

    view = None
    tasks = []
    start = time.time()
    last_print = 0.0
    try:
        await ex.load_markets()
        fmt = Fmt(check_symbol(ex, symbol))
        tasks = [asyncio.ensure_future(books()), asyncio.ensure_future(trades())]
        view = LiveView(console) if tty else None
        while time.time() - start < seconds:
            await asyncio.sleep(0.2)
            for task in tasks:  # a watch loop that failed (the venue went away, ...) ends the view with its error
                if task.done() and task.exception() is not None:
                    raise task.exception()
            book = state["book"]
            if book is None:
                continue
            elapsed = time.time() - start
            if view is not None:
                title = (f"live {symbol} over SBE (schema 1:{ex.options['sbeSchemaVersion']})  "
                         f"{state['books']} book updates in {elapsed:.1f}s  seq_no {book['nonce']}")
                view.draw(live_panel(title, book, fmt, state["trades"], state["trade_count"]))
            elif elapsed - last_print >= 1.0:
                last_print = elapsed
                bid, ask = book["bids"][0], book["asks"][0]
                last = fmt.price(state["trades"][-1]["price"]) if state["trades"] else "-"
                out(f"  t+{elapsed:4.1f}s seq_no {book['nonce']}: bid {fmt.amount(bid[1])} @ {fmt.price(bid[0])} | "
                    f"ask {fmt.price(ask[0])} x {fmt.amount(ask[1])}  ({state['books']} book updates, "
                    f"{state['trade_count']} trades, last {last})")
    finally:
        if view is not None:
            view.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await ex.close()
    out(f"streamed {state['books']} book updates and {state['trade_count']} trades in {seconds:g}s; "
        f"the book was never shown out of sync (gaps detected: {sum(b.gaps for b in ex._books.values())})")
    return state


def _tty(out):
    return out is print and sys.stdout.isatty()


def _header(testnet):
    return (f"ccxt_paradex demo: {'Paradex TESTNET (read-only)' if testnet else 'embedded simulator (offline)'}; "
            f"crypto backend {backend.BACKEND_NAME}")


def run(seconds=5.0, symbol="BTC/USD:USDC", testnet=False, out=print) -> dict:
    """The tour. A bad symbol raises DemoError, an unreachable venue ccxt's NetworkError, both before
    anything is printed (``python -m ccxt_paradex demo`` turns either into one line)."""
    config = _credentials(testnet)
    if testnet:
        ex = paradex_sync(config)
        ex.set_sandbox_mode(True)
        load_ms = load_checked(ex, symbol)
        out(_header(testnet))
        result = rest_tour(ex, symbol, out, trade=False, load_ms=load_ms)
        if config or os.environ.get("PARADEX_STARKNET_PRIVATE_KEY"):
            result.update(account_tour(ex, symbol, out))
        else:
            out("no credentials in the environment: the account part is skipped (see README, Credentials)")
        result["live"] = asyncio.run(live_view(dict(config), symbol, seconds, out, _tty(out), sandbox=True))
        return result
    from .sim import SimulatorThread

    with SimulatorThread(seed=1, tick_interval=0.05, initial_balance="10000") as sim:
        config["urls"] = sim.ccxt_urls()
        ex = paradex_sync(config)
        load_ms = load_checked(ex, symbol)
        out(_header(testnet))
        out(f"simulator listening on {sim.rest_url} (REST) and {sim.ws_url} (WebSocket, SBE)")
        out(f"L1 {config['walletAddress']} -> L2 account derived from the Ethereum key, onboarded on first use")
        result = rest_tour(ex, symbol, out, load_ms=load_ms)
        result["live"] = asyncio.run(live_view(dict(config), symbol, seconds, out, _tty(out)))
    out("done: every call above was plain ccxt; swap ccxt.paradex for ccxt_paradex.paradex and keep your code")
    return result
