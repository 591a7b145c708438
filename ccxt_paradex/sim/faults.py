"""Fault injection: ``gap=P,dup=P,reorder=P,disconnect=SECONDS,auth_fail=P,http5xx=P``."""
import random

from .errors import ApiError

KNOWN = {"gap": float, "dup": float, "reorder": float, "disconnect": float, "auth_fail": float, "http5xx": float}


def parse_faults(spec: str) -> dict:
    out = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        name, sep, value = part.partition("=")
        if not sep or name not in KNOWN:
            raise ValueError(f"unknown fault {part!r}; expected one of {sorted(KNOWN)} as name=value")
        number = KNOWN[name](value)
        if name != "disconnect" and not 0 <= number <= 1:
            raise ValueError(f"fault probability {name}={value} must be within 0..1")
        out[name] = number
    return out


class Faults:
    def __init__(self, spec="", seed=None):
        self.settings = parse_faults(spec) if isinstance(spec, str) else dict(spec)
        self.rng = random.Random(seed)

    def chance(self, name) -> bool:
        p = self.settings.get(name, 0.0)
        return p > 0 and self.rng.random() < p

    def maybe_http5xx(self):
        if self.chance("http5xx"):
            raise ApiError("SERVICE_UNAVAILABLE", "injected fault: service unavailable", 503)

    def maybe_auth_fail(self):
        if self.chance("auth_fail"):
            raise ApiError("UNAUTHORIZED_ERROR", "injected fault: auth failed", 401)
