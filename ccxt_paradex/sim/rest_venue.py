"""Venue-wide reads of the simulator beyond trading (insurance fund, volume tiers, announcements, markets history,
settlement and impact prices, staking, vaults, XP): answers derived from the simulator's state, shaped as the
OpenAPI file's response schemas say (``Simulator(check_responses=True)`` checks them)."""


def routes(api) -> list:
    """-> [(METHOD, /path as the OpenAPI file writes it, handler, rate-limit scope)]; ``api`` is the RestApi
    (``sim/rest.py``). A handler takes the aiohttp request and returns (status, body)."""
    return []
