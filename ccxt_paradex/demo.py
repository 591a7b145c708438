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

from . import paradex as paradex_sync
from .core import backend, keys

# A throw-away Ethereum key (paradex-py's published test key). It only ever signs for the simulator.
DEMO_L1_KEY = "0xf8e4d1d772cdd44e5e77615ad11cc071c94e4c06dc21150d903f28e6aa6abdff"


def _fmt_book(book, depth=5):
    rows = [f"{'bid size':>12} {'bid':>12} | {'ask':<12} {'ask size':<12}"]
    for i in range(depth):
        b = book["bids"][i] if i < len(book["bids"]) else (None, None)
        a = book["asks"][i] if i < len(book["asks"]) else (None, None)
        rows.append(f"{_num(b[1]):>12} {_num(b[0]):>12} | {_num(a[0]):<12} {_num(a[1]):<12}")
    return rows


def _num(x):
    return "" if x is None else f"{x:g}"


def _credentials(testnet):
    if not testnet:
        return {"walletAddress": keys.eth_address(DEMO_L1_KEY), "privateKey": DEMO_L1_KEY}
    if os.environ.get("PARADEX_L1_PRIVATE_KEY"):
        return {"privateKey": os.environ["PARADEX_L1_PRIVATE_KEY"], "walletAddress": os.environ.get("PARADEX_L1_ADDRESS")}
    return {}  # PARADEX_STARKNET_ACCOUNT / PARADEX_STARKNET_PRIVATE_KEY are read by the class itself


def rest_tour(ex, symbol, out, trade=True) -> dict:
    t = time.perf_counter()
    ex.load_markets()
    out(f"loaded {len(ex.markets)} markets in {(time.perf_counter() - t) * 1e3:.0f} ms: {', '.join(sorted(ex.symbols))}")
    ticker = ex.fetch_ticker(symbol)
    out(f"ticker {symbol}: last {ticker['last']}  bid {ticker['bid']}  ask {ticker['ask']}  mark {ticker['markPrice']}")
    book = ex.fetch_order_book(symbol, 5)
    out(f"order book (seq_no {book['nonce']}):")
    for row in _fmt_book(book):
        out("  " + row)
    result = {"book": book}
    if not trade:
        return result
    t = time.perf_counter()
    balance = ex.fetch_balance()
    out(f"authenticated and fetched the balance in {(time.perf_counter() - t) * 1e3:.0f} ms (L1 -> L2 key derivation, "
        f"onboarding, STARK-signed /auth, JWT): USDC {balance['USDC']['total']}")
    bid = book["bids"][0][0]
    price = float(ex.price_to_precision(symbol, bid * 0.97))
    amount = float(ex.amount_to_precision(symbol, 20 / price))
    t = time.perf_counter()
    order = ex.create_order(symbol, "limit", "buy", amount, price, {"postOnly": True, "clientOrderId": "demo-1"})
    out(f"placed  post-only buy {amount} @ {price}: id {order['id']} status {order['status']} "
        f"({(time.perf_counter() - t) * 1e3:.1f} ms incl. STARK signature)")
    edited = ex.edit_order(order["id"], symbol, price=float(ex.price_to_precision(symbol, price * 0.99)))
    out(f"edited  price -> {edited['price']} (amount kept {edited['amount']}, postOnly kept {edited['postOnly']}; "
        f"ModifyOrder signed)")
    ex.cancel_order(order["id"], symbol)
    out(f"canceled; open orders now: {len(ex.fetch_open_orders(symbol))}")
    filled = ex.create_order(symbol, "market", "buy", amount)
    trades = ex.fetch_my_trades(symbol)
    out(f"market buy {amount}: order {filled['id']}, {len(trades)} fill(s), avg "
        f"{sum(t['price'] * t['amount'] for t in trades) / max(sum(t['amount'] for t in trades), 1e-12):.2f}")
    position = ex.fetch_position(symbol)
    out(f"position: {position['side']} {position['contracts']} @ {position['entryPrice']}  "
        f"uPnL {position['unrealizedPnl']}  leverage {position['leverage']}")
    balance = ex.fetch_balance()
    out(f"balance: USDC total {balance['USDC']['total']}  free {balance['USDC']['free']}")
    result.update(order=order, edited=edited, position=position)
    return result


def account_tour(ex, symbol, out) -> dict:
    """Read-only: authenticate, then balance, open orders and positions (nothing is placed on a real venue)."""
    t = time.perf_counter()
    balance = ex.fetch_balance()
    out(f"authenticated as {hex(ex._signer.account)} (STARK-signed /auth, JWT) and fetched the balance in "
        f"{(time.perf_counter() - t) * 1e3:.0f} ms: USDC total {balance['USDC']['total']} free {balance['USDC']['free']}")
    orders, positions = ex.fetch_open_orders(symbol), ex.fetch_positions()
    out(f"open orders on {symbol}: {len(orders)}; positions: "
        + (", ".join(f"{p['symbol']} {p['side']} {p['contracts']}" for p in positions) or "none"))
    return {"balance": balance, "open_orders": orders, "positions": positions}


async def live_view(config, symbol, seconds, out, tty, sandbox=False):
    from .pro import paradex as paradex_pro

    ex = paradex_pro(config)
    if sandbox:
        ex.set_sandbox_mode(True)
    state = {"book": None, "trades": [], "books": 0}

    async def books():
        while True:
            state["book"] = await ex.watch_order_book(symbol, 5)
            state["books"] += 1

    async def trades():
        while True:
            for t in await ex.watch_trades(symbol):
                state["trades"] = (state["trades"] + [t])[-5:]

    tasks = [asyncio.ensure_future(books()), asyncio.ensure_future(trades())]
    start = time.time()
    last_print = 0.0
    try:
        while time.time() - start < seconds:
            await asyncio.sleep(0.2)
            book = state["book"]
            if book is None:
                continue
            elapsed = time.time() - start
            if tty:
                lines = [f"live {symbol} over SBE (schema 1:{ex.options['sbeSchemaVersion']})  "
                         f"{state['books']} book updates in {elapsed:.1f}s  seq_no {book['nonce']}"]
                lines += _fmt_book(book)
                lines += ["last trades:"] + [f"  {t['side']:<4} {t['amount']:g} @ {t['price']:g}" for t in state["trades"]]
                sys.stdout.write("\x1b[s\x1b[J" + "\n".join(lines) + "\x1b[u")
                sys.stdout.flush()
            elif elapsed - last_print >= 1.0:
                last_print = elapsed
                bid, ask = book["bids"][0], book["asks"][0]
                out(f"  t+{elapsed:4.1f}s seq_no {book['nonce']}: bid {bid[1]:g} @ {bid[0]:g} | ask {ask[0]:g} x {ask[1]:g}"
                    f"  ({state['books']} book updates, last trade "
                    f"{state['trades'][-1]['price'] if state['trades'] else '-'})")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await ex.close()
    if tty:
        sys.stdout.write("\x1b[J")
    out(f"streamed {state['books']} book updates and {len(state['trades'])}+ trades in {seconds:.0f}s; "
        f"the book was never shown out of sync (gaps detected: {sum(b.gaps for b in ex._books.values())})")
    return state


def run(seconds=5.0, symbol="BTC/USD:USDC", testnet=False, out=print) -> dict:
    out(f"ccxt_paradex demo: {'Paradex TESTNET (read-only)' if testnet else 'embedded simulator (offline)'}; "
        f"crypto backend {backend.BACKEND_NAME}")
    config = _credentials(testnet)
    if testnet:
        ex = paradex_sync(config)
        ex.set_sandbox_mode(True)
        result = rest_tour(ex, symbol, out, trade=False)
        if config or os.environ.get("PARADEX_STARKNET_PRIVATE_KEY"):
            result.update(account_tour(ex, symbol, out))
        else:
            out("no credentials in the environment: the account part is skipped (see README, Credentials)")
        asyncio.run(live_view(dict(config), symbol, seconds, out, sys.stdout.isatty(), sandbox=True))
        return result
    from .sim.thread import SimulatorThread

    with SimulatorThread(seed=1, tick_interval=0.05, initial_balance="10000") as sim:
        out(f"simulator listening on {sim.rest_url} (REST) and {sim.ws_url} (WebSocket, SBE)")
        config["urls"] = sim.ccxt_urls()
        ex = paradex_sync(config)
        out(f"L1 {config['walletAddress']} -> L2 account derived from the Ethereum key, onboarded on first use")
        result = rest_tour(ex, symbol, out)
        asyncio.run(live_view(dict(config), symbol, seconds, out, sys.stdout.isatty()))
    out("done: every call above was plain ccxt; swap ccxt.paradex for ccxt_paradex.paradex and keep your code")
    return result
