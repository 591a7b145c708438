"""The chaos ``rate_limit`` fault (sim/faults.py Chaos): it empties an account's rate-limit buckets as of now, so
the account's next request is answered 429 however long ago its previous request was (the refill counts from the
fault, not from that request)."""
import aiohttp

from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.clock import ManualClock
from ccxt_paradex.sim.faults import Chaos

from conftest import advance
from simclient import onboarded

QUIET = dict(tick_interval=0, summary_interval=0, funding_interval=0, algo_interval=0)


async def test_a_request_right_after_the_rate_limit_fault_is_refused():
    async with aiohttp.ClientSession() as session, \
            Simulator(seed=83, clock=ManualClock(start=1_800_000_000), liquidity=False, **QUIET) as sim:
        c = await onboarded(sim, session, 83)
        status, _, _ = await c.request("GET", "/positions")
        assert status == 200
        account = next(a for a in sim.engine.accounts if a not in sim.engine.ephemeral)
        await advance(sim.clock, 120)  # idle for two minutes (the JWT lives 300 s): every bucket would be full
        assert Chaos(sim, 1).fire("rate_limit", account)
        status, body, headers = await c.request("GET", "/positions")
        assert (status, body["error"]) == (429, "RATE_LIMIT_EXCEEDED"), body
        assert int(headers["Retry-After"]) >= 1
        await advance(sim.clock, int(headers["Retry-After"]))  # it refills from the fault on
        assert (await c.request("GET", "/positions"))[0] == 200
