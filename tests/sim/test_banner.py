"""The simulator's start-up banner (``python -m ccxt_paradex.sim``): its ccxt_paradex line is what ccxt_paradex
needs, an Ethereum key and the urls (no walletAddress: ccxt_paradex derives it), copy-pasteable as Python; ccxt's
own class, which requires a walletAddress, is told so on a comment line."""
import argparse

import ccxt_paradex
from ccxt_paradex.sim.__main__ import _ready

SIM_OPTIONS = dict(seed=7, liquidity=False, tick_interval=0, summary_interval=0, funding_interval=0, algo_interval=0)
KEY = "0x" + "6a" * 32


def _banner(sim):
    lines = []
    args = argparse.Namespace(initial_balance="100000", auto_onboard=False, mirror=None, replay=None)
    _ready(sim, args, lines.append)
    return lines


def test_the_banners_ccxt_paradex_line_trades_with_a_key_alone(sim):
    lines = _banner(sim)
    namespace = {"ccxt_paradex": ccxt_paradex}
    exec(next(line for line in lines if line.startswith("urls = ")), namespace)
    statement = next(line for line in lines if line.startswith("exchange = "))
    assert "walletAddress" not in statement
    exec(statement.replace("0x<Ethereum key>", KEY), namespace)  # a user pastes it with their key
    exchange = namespace["exchange"]
    assert exchange.fetch_balance()["USDC"]["total"] == 100000  # onboarded and authenticated from the key alone
    assert len([a for a in sim.engine.accounts if a not in sim.engine.ephemeral]) == 1
    # ccxt's built-in class requires a walletAddress: a comment says so, and nothing else asks for one
    asked = [line for line in lines if "walletAddress" in line]
    assert len(asked) == 1 and asked[0].startswith("# ccxt's own paradex class also needs \"walletAddress\"")


def test_ccxts_own_class_needs_the_wallet_address_the_banner_mentions():
    import ccxt
    assert ccxt.paradex().requiredCredentials["walletAddress"] is True
    assert ccxt_paradex.paradex().requiredCredentials["walletAddress"] is False
