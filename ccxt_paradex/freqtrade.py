"""Run freqtrade (https://www.freqtrade.io) on Paradex perpetuals through ccxt_paradex.

freqtrade builds its exchanges with ``getattr(ccxt, name)`` / ``getattr(ccxt.pro, name)`` and refuses futures on
an exchange it has no subclass for. ``install()`` does both halves:

1. ``ccxt_paradex.install()``: ``ccxt.paradex``, ``ccxt.async_support.paradex`` and ``ccxt.pro.paradex`` become
   ccxt_paradex's classes (the namespace switch);
2. registers ``freqtrade.exchange.Paradex``: cross-margined futures, and fees in USDC read as the quote currency
   (Paradex quotes its perpetuals in USD and settles in USDC; without this freqtrade needs ``unknown_fee_rate``).

Command line (freqtrade's own, after ``install()``), with a starter config and user_data directory written by
``new-config``::

    python -m ccxt_paradex.sim --port 8080 &                                 # paper trading
    python -m ccxt_paradex.freqtrade new-config --sim http://127.0.0.1:8080  # config.json + user_data/
    python -m ccxt_paradex.freqtrade trade --config config.json --strategy SampleStrategy

``new-config`` without ``--sim`` writes a dry-run config for the real venue (fill in the keys, then set
``dry_run`` to false). The config is freqtrade's: ``"trading_mode": "futures"``, ``"margin_mode": "cross"``,
``"stake_currency": "USD"``, ``"exchange": {"name": "paradex", "private_key": "0x...", "wallet_address": "0x...",
"pair_whitelist": [...], "ccxt_config": {"urls": ...}}`` (``urls`` point it at a simulator).
"""
import argparse
import json
import os
import sys

_REGISTERED = None


def exchange_class():
    """-> the ``freqtrade.exchange.Paradex`` subclass (freqtrade must be installed: ``pip install freqtrade``)."""
    from freqtrade.enums import MarginMode, TradingMode
    from freqtrade.exchange import Exchange

    class Paradex(Exchange):
        """Paradex perpetuals (USD-quoted, USDC-settled, cross margin) through ccxt_paradex."""

        _ft_has = {
            "ohlcv_candle_limit": 1000,       # /markets/klines returns at most 1,000 candles (features['swap'])
            "l2_limit_range": [5, 10, 15, 20, 50, 100],
            "trades_has_history": False,
            "order_time_in_force": ["GTC", "IOC", "PO"],
            "stoploss_on_exchange": False,
            "ws_enabled": True,
        }
        _ft_has_futures = {
            "stoploss_on_exchange": True,
            "stoploss_order_types": {"limit": "limit", "market": "market"},
            "stop_price_prop": "triggerPrice",
            "stop_price_param": "triggerPrice",
            "funding_fee_candle_limit": 1000,
            "uses_leverage_tiers": False,
        }
        _supported_trading_mode_margin_pairs = [(TradingMode.FUTURES, MarginMode.CROSS)]

        def calculate_fee_rate(self, fee: dict, symbol: str, cost: float, amount: float):
            """Paradex charges fees in USDC, its settlement currency, on USD-quoted markets: a USDC fee is a
            quote-currency fee (one USDC is one of Paradex's USD)."""
            market = self.markets.get(symbol, {})
            if fee.get("rate") is None and fee.get("currency") is not None and fee.get("currency") == market.get("settle") \
                    and fee.get("cost") is not None and cost:
                return round(float(fee["cost"]) / cost, 8)
            return super().calculate_fee_rate(fee, symbol, cost, amount)

        def get_balances(self):
            """freqtrade looks its stake up by the quote currency (USD); Paradex holds the collateral as USDC."""
            balances = super().get_balances()
            if "USD" not in balances and "USDC" in balances:
                balances["USD"] = dict(balances["USDC"])
            return balances

    return Paradex


def install():
    """Switch ccxt's ``paradex`` to ccxt_paradex's and register ``freqtrade.exchange.Paradex`` (idempotent)."""
    global _REGISTERED
    import freqtrade.exchange as exchanges

    import ccxt_paradex
    ccxt_paradex.install()
    if _REGISTERED is None:
        _REGISTERED = exchange_class()
    exchanges.Paradex = _REGISTERED
    return _REGISTERED


def uninstall():
    """Undo ``install()``: ccxt's own classes back, freqtrade's registry without Paradex."""
    import freqtrade.exchange as exchanges

    import ccxt_paradex
    ccxt_paradex.uninstall()
    if getattr(exchanges, "Paradex", None) is _REGISTERED and _REGISTERED is not None:
        delattr(exchanges, "Paradex")


PROG = "python -m ccxt_paradex.freqtrade"
DEFAULT_PAIRS = "BTC/USD:USDC,ETH/USD:USDC"
# the sub-directories ``freqtrade create-userdir`` makes (freqtrade/configuration/directory_operations.py)
USER_DATA_DIRS = ("backtest_results", "data", "hyperopts", "hyperopt_results", "logs", "notebooks", "plot",
                  "strategies", "freqaimodels")


def starter_config(sim_url=None, private_key="", wallet_address="", pairs=DEFAULT_PAIRS, stake_amount=100,
                   user_data_dir="user_data") -> dict:
    """A complete freqtrade config for Paradex perpetuals: against a simulator at ``sim_url`` (live orders on the
    simulator: paper trading), or the real venue in dry-run (keys left for the user) when ``sim_url`` is None."""
    exchange = {"name": "paradex", "private_key": private_key, "wallet_address": wallet_address,
                "pair_whitelist": [p.strip() for p in pairs.split(",") if p.strip()], "pair_blacklist": []}
    if sim_url is not None:
        from .sim.mirror import source_urls
        exchange["ccxt_config"] = {"urls": source_urls(sim_url)}
    book = {"price_side": "same", "use_order_book": True, "order_book_top": 1}
    return {
        "$schema": "https://schema.freqtrade.io/schema.json",
        "max_open_trades": 2,
        "stake_currency": "USD",  # Paradex quotes in USD and holds USDC: the Paradex subclass reads one as the other
        "stake_amount": stake_amount,
        "tradable_balance_ratio": 0.99,
        # the simulator is the paper venue, so orders go to it for real; on the real venue start in dry-run
        "dry_run": sim_url is None,
        "dry_run_wallet": 1000,
        "cancel_open_orders_on_exit": False,
        "trading_mode": "futures",
        "margin_mode": "cross",
        "unfilledtimeout": {"entry": 10, "exit": 10, "exit_timeout_count": 0, "unit": "minutes"},
        "entry_pricing": dict(book, price_last_balance=0.0, check_depth_of_market={"enabled": False, "bids_to_ask_delta": 1}),
        "exit_pricing": dict(book),
        "exchange": exchange,
        "pairlists": [{"method": "StaticPairList"}],
        "user_data_dir": user_data_dir,
        # a simulator's trades never share a database with the real venue's
        "db_url": "sqlite:///" + os.path.join(user_data_dir, "tradesv3.paradex-sim.sqlite" if sim_url is not None
                                              else "tradesv3.paradex.dryrun.sqlite"),
        "bot_name": "freqtrade-paradex",
        "initial_state": "running",
        "force_entry_enable": False,
        "internals": {"process_throttle_secs": 5},
    }


def new_config(args, out=print) -> dict:
    """``new-config``: write ``args.config`` and the ``args.userdir`` tree (with freqtrade's sample strategy when
    freqtrade is installed) -> the config written."""
    if os.path.exists(args.config) and not args.force:
        raise FileExistsError(f"{args.config} exists (--force overwrites it)")
    private_key, wallet_address = args.private_key or "", ""
    if args.sim and not private_key:  # any key trades on a simulator: a fresh one, so nothing real is written
        private_key = "0x" + os.urandom(32).hex()
    if private_key:
        from .core.keys import eth_address
        wallet_address = eth_address(private_key)
    config = starter_config(args.sim, private_key, wallet_address, args.pairs, args.stake_amount, args.userdir)
    for sub in USER_DATA_DIRS:
        os.makedirs(os.path.join(args.userdir, sub), exist_ok=True)
    sample = _copy_sample_strategy(args.userdir)
    folder = os.path.dirname(os.path.abspath(args.config))
    os.makedirs(folder, exist_ok=True)
    fd = os.open(args.config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds a private key
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(config, f, indent=4)
        f.write("\n")
    where = f"the simulator at {args.sim} (a fresh key; orders go to the simulator)" if args.sim else \
        "Paradex in dry-run (fill in exchange.private_key and wallet_address, then set dry_run to false to trade)"
    out(f"wrote {args.config}: {', '.join(config['exchange']['pair_whitelist'])} futures on {where}")
    trade = f"{PROG} trade --config {args.config} --strategy SampleStrategy"
    if sample:
        out(f"made {args.userdir}/ (with freqtrade's SampleStrategy)")
        out(f"next: {trade}")
    else:  # freqtrade's create-userdir copies its sample strategy into an existing user_data directory too
        out(f"made {args.userdir}/ (no sample strategy: freqtrade is not installed)")
        out(f"first: pip install 'ccxt_paradex[freqtrade]', then {PROG} create-userdir --userdir {args.userdir} "
            f"(it adds freqtrade's SampleStrategy)")
        out(f"next: {trade}")
    if args.sim:
        problem = _no_simulator_at(args.sim)
        if problem:
            out(f"warning: no simulator answers at {args.sim} ({problem}); the config is written: start one there "
                f"({_sim_command(args.sim)}) before trading")
    return config


PROBE_TIMEOUT = 2.0  # s


def _no_simulator_at(url, timeout=PROBE_TIMEOUT):
    """-> None when ``GET /v1/system/time`` at the simulator's ``url`` answers with a server time, else what went
    wrong, in a few words."""
    import urllib.error
    import urllib.request

    from .sim.mirror import source_urls
    probe = source_urls(url)["api"]["v1"] + "/system/time"
    try:
        with urllib.request.urlopen(probe, timeout=timeout) as resp:
            body = json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        return f"GET /v1/system/time: HTTP {e.code}"
    except urllib.error.URLError as e:
        return f"GET /v1/system/time: {e.reason}"
    except (OSError, ValueError) as e:  # a timeout, a reset connection, an answer that is not JSON
        return f"GET /v1/system/time: {type(e).__name__}: {e}"
    if not isinstance(body, dict) or "server_time" not in body:
        return "GET /v1/system/time: no server_time in the answer"
    return None


def _sim_command(url):
    from urllib.parse import urlsplit
    try:
        port = urlsplit(url.replace("ws://", "http://", 1).replace("wss://", "https://", 1)).port
    except ValueError:
        port = None
    return "python -m ccxt_paradex.sim" + (f" --port {port}" if port else "")


def _copy_sample_strategy(userdir) -> bool:
    try:
        from freqtrade.configuration.directory_operations import copy_sample_files
    except ImportError:
        return False
    from pathlib import Path
    copy_sample_files(Path(userdir), overwrite=False)
    return True


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{PROG} new-config: error: {message} (see {PROG} new-config --help)\n")


def _new_config_main(argv) -> int:
    ap = _Parser(prog=f"{PROG} new-config", formatter_class=argparse.ArgumentDefaultsHelpFormatter,
                 description="Write a freqtrade config for Paradex perpetuals and its user_data directory.")
    ap.add_argument("--sim", metavar="URL", default=None,
                    help="a simulator's base URL (python -m ccxt_paradex.sim prints it), e.g. http://127.0.0.1:8080; "
                         "without it: the real venue, in dry-run")
    ap.add_argument("--config", default="config.json", help="the config file to write")
    ap.add_argument("--userdir", default="user_data", help="freqtrade's user_data directory to make")
    ap.add_argument("--pairs", default=DEFAULT_PAIRS, help="comma-separated pair whitelist")
    ap.add_argument("--stake-amount", type=float, default=100, help="USD per trade")
    ap.add_argument("--private-key", default=None,
                    help="Ethereum key to write (default with --sim: a fresh one; without: none, fill it in later)")
    ap.add_argument("--force", action="store_true", help="overwrite an existing config file")
    args = ap.parse_args(argv)
    if args.sim:
        from .sim.mirror import VENUES, source_urls
        try:
            if args.sim in VENUES:  # a venue's name is a mirror source, not a simulator
                raise ValueError(args.sim)
            source_urls(args.sim)
        except ValueError:
            ap.error(f"--sim: a simulator's URL, such as http://127.0.0.1:8080, not {args.sim!r}")
    try:
        new_config(args)
    except FileExistsError as e:
        print(f"{PROG} new-config: error: {e}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as e:
        print(f"{PROG} new-config: error: {e}", file=sys.stderr)
        return 1
    return 0


USAGE = f"""usage: {PROG} new-config [--sim URL] [--config FILE] [...]
       {PROG} COMMAND [ARGS...]

Run freqtrade on Paradex perpetuals through ccxt_paradex.

  new-config   write a freqtrade config for Paradex and its user_data directory (freqtrade not needed);
               {PROG} new-config --help lists its options
  COMMAND      any freqtrade command (trade, backtesting, download-data, create-userdir, ...), run by
               freqtrade with Paradex registered (needs freqtrade: pip install 'ccxt_paradex[freqtrade]')
"""


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["new-config"]:  # ours; every other command is freqtrade's
        return _new_config_main(argv[1:])
    asks_help = not argv or argv[0] in ("-h", "--help")
    if asks_help:  # before freqtrade is needed: new-config works without it
        print(USAGE)
    try:
        install()
    except ImportError as e:
        if asks_help:
            print(f"freqtrade is not installed here ({e}): new-config works, freqtrade's commands need "
                  "pip install 'ccxt_paradex[freqtrade]'")
            return 0
        print(f"{PROG}: error: freqtrade is not installed ({e}): pip install 'ccxt_paradex[freqtrade]'", file=sys.stderr)
        return 1
    if asks_help:
        print("freqtrade's own usage:")
    from freqtrade.main import main as freqtrade_main
    return freqtrade_main(argv)


if __name__ == "__main__":
    sys.exit(main())
