"""Credentials out of logs.

ccxt's ``verbose`` output and its debug logger print every request's headers and body and every
response: the JWT (``Authorization: Bearer``, the ``/auth`` answer, the WebSocket ``auth`` request) and
the STARK signature headers of ``/auth`` and ``/onboarding`` and the EVM (SIWE) signature of ``/v2/auth``
and ``/v2/onboarding`` (replayable until they expire) would land
in the user's logs. Private keys never travel, so they cannot leak this way.
"""
import logging
import re
from collections.abc import Mapping

REDACTED = "<redacted>"
SECRET_HEADERS = frozenset({"authorization", "paradex-starknet-signature", "paradex-evm-signature", "cookie",
                            "set-cookie"})
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")


def redact(value):
    """``value`` with JWTs and secret headers replaced; containers are copied, other values returned as is."""
    if isinstance(value, str):
        return _JWT.sub(REDACTED, value) if "eyJ" in value else value
    if isinstance(value, (bytes, bytearray)):
        return redact(bytes(value).decode("utf-8", "replace")) if b"eyJ" in value else value
    if isinstance(value, Mapping):
        return {k: REDACTED if isinstance(k, str) and k.lower() in SECRET_HEADERS else redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(v) for v in value)
    return value


class RedactingLogger:
    """Wraps a ``logging.Logger`` (ccxt's ``self.logger``): same name, level and handlers; redacted arguments."""

    def __init__(self, inner: logging.Logger):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def log(self, level, msg, *args, **kwargs):
        if self.inner.isEnabledFor(level):
            self.inner.log(level, redact(msg), *(redact(a) for a in args), **kwargs)

    def debug(self, msg, *args, **kwargs):
        self.log(logging.DEBUG, msg, *args, **kwargs)

    def info(self, msg, *args, **kwargs):
        self.log(logging.INFO, msg, *args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        self.log(logging.WARNING, msg, *args, **kwargs)

    def error(self, msg, *args, **kwargs):
        self.log(logging.ERROR, msg, *args, **kwargs)

    def critical(self, msg, *args, **kwargs):
        self.log(logging.CRITICAL, msg, *args, **kwargs)

    def exception(self, msg, *args, **kwargs):
        kwargs.setdefault("exc_info", True)
        self.log(logging.ERROR, msg, *args, **kwargs)
