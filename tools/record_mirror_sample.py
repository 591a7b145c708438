"""Record the shipped mirror sample: ccxt_paradex/sim/data/btc_sim_source.jsonl.gz (no network).

A source simulator (seed 16, synthetic makers and takers every 20 ms) plays the venue; a second simulator mirrors
its BTC-USD-PERP book and trades for SECONDS (150 for the shipped file) with ``--record``. The file is therefore simulator data, not
Paradex's: ``python tools/record_mirror_sample.py [SECONDS]``.
"""
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ccxt_paradex.sim import Simulator  # noqa: E402
from ccxt_paradex.sim import mirror  # noqa: E402

OUT = mirror.SAMPLE_RECORDING  # package data: python -m ccxt_paradex.sim --replay sample plays it
MARKET = "BTC-USD-PERP"


async def record(seconds):
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    quiet = {"summary_interval": 0, "funding_interval": 0}
    async with Simulator(seed=16, tick_interval=0.02, **quiet) as source:
        specs = [mirror.spec_from_json(m) for m in await mirror.fetch_markets(source.ccxt_urls(), [MARKET])]
        async with Simulator(markets=specs, liquidity=False, tick_interval=0, **quiet) as local:
            note = ("recorded from a ccxt_paradex simulator source (seed 16, tools/record_mirror_sample.py), "
                    "not from Paradex")
            async with mirror.Mirror(local, source.ccxt_urls(), [MARKET], record=OUT, note=note) as m:
                await asyncio.sleep(seconds)
                print(f"{OUT}: {m.applied} book states", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(record(float(sys.argv[1]) if len(sys.argv) > 1 else 150.0))
