"""Account reads and writes of the simulator beyond trading (profile, settings, summary, history, tokens, subkeys,
algo orders, block trades, RFQs, referrals, staking, vaults, XP, trade busts, transactions): reads derived from
the simulator's state, shaped as the OpenAPI file's response schemas say; a write it does not model answers as
Paradex answers an account without that feature (a documented error), never a silent success."""


def routes(api) -> list:
    """-> [(METHOD, /path as the OpenAPI file writes it, handler, rate-limit scope)]; ``api`` is the RestApi
    (``sim/rest.py``). A handler takes the aiohttp request and returns (status, body)."""
    return []
