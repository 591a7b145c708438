"""Account reads and writes of the simulator beyond trading (profile, settings, summary, history, tokens, subkeys,
block trades, RFQs, referrals, staking, vaults, XP, trade busts, transactions; algo orders are sim/algo.py's):
reads derived from the simulator's state, shaped as the OpenAPI file's response schemas say; a write it does not
model answers as Paradex answers an account without that feature (a documented error), never a silent success.

What is modelled as state a later read shows: the profile (username, referral code, referrer, size currency display,
per-market max slippage, notifications, share rates), the settings (trading value display), compliance actions,
API tokens (create, list, allowed CIDRs, revoke), subkey names and allowed CIDRs, and the activation of a pending
subkey. Derived from trading: /account/history, /account/summary, /transactions, /referrals/summary.
What the simulator has none of answers as for an account with none: empty lists and pages, zero balances, and a
not-found error for an id (block trades, RFQs, staking, vaults, XP). Trade busts (``engine.bust``) are listed by
/tradebusts; a busted fill counts in no /account/history series and its /transactions row is REVERTED.

Readings (the spec leaves them open):

- ``POST /account/profile/username``, ``/account/profile/referral_code`` and ``/account/referrer`` list no body
  in the OpenAPI file, yet each updates one field: the simulator reads ``{"username"}``, ``{"referral_code"}`` and
  ``{"referral_code"}`` (or ``{"referred_by"}`` outside the ``strict`` gate, whose reading,
  ``core.contract.BEYOND_SPEC_BODY``, takes the one field); ``PUT /account/profile`` sets the same fields within
  the spec.
- Times the schemas describe in nanoseconds (API tokens, subkeys) are nanoseconds; the others milliseconds.
- API tokens are records: the token string is JWT-shaped but the simulator's bearer check (``sim/auth.py``) does
  not accept it; allowed CIDRs are kept and shown, not enforced.
- ``/account/history`` series are cumulative, one point per instant something changed (transfers, fills, funding
  payments), plus a point now for ``value`` and ``pnl`` that adds the unrealized PnL (the simulator keeps no past
  marks, so earlier points carry the cash balance). ``fee_savings``: the simulator gives no fee discounts (zeros).
- ``/transactions``: one row per fill (the schema's types are fill, liquidation and market settlement; a transfer
  has none). The hash is derived from the trade id, so both sides of a trade share it.
- ``/referrals/qr-code`` answers ``image/png`` as the spec says: a blank image whose tEXt chunk carries the referral
  link (the simulator has no QR encoder); an account without a referral code gets INVALID_REFERRAL_CODE.
- ``GET /rfqs/markets`` is ccxt's, not in the OpenAPI file (no schema): ``{"results": []}`` (a reading beyond the
  spec that takes no parameters, ``core.contract.BEYOND_SPEC``).
- Unmodelled writes (``UNMODELLED`` below, the terminal token, vault creation): each
  comment says which code and status it answers, and why.
"""
import hashlib
import ipaddress
import json
import os
import re
import struct
import zlib
from decimal import Decimal, InvalidOperation

from aiohttp import web

from ..core import backend, signing
from .auth import _b64
from .errors import ApiError, bad_request, json_object, not_onboarded
from .state import ZERO, fmt

NS_PER_MS = 1_000_000
MAX_CIDRS = 50                                  # CreateToken / CreateSubkey: "Max 50 entries"
TOKEN_EXPIRY_S = (60, 365 * 24 * 3600)          # CreateToken.expiry_duration: "1 min to 1 year"
REFERRAL_LINK = "https://app.paradex.trade/r/"
FELT_MOD = 2 ** 251

# writes the simulator does not model: (code, HTTP status, why). Each answers as Paradex answers an account
# without the feature, with a code from the spec's ErrorCode enum and a status the operation lists.
_BLOCK = ("BLOCK_TRADE_NOT_ENABLED", 400, "block trades are not enabled for this account")
# RFQs: every RFQ operation lists 403 Forbidden, and the RFQ API needs POST /account/paradigm/enable first, which an
# account the venue does not let trade RFQs cannot do: REQUEST_NOT_ALLOWED / 403 (ccxt: PermissionDenied)
_RFQ = ("REQUEST_NOT_ALLOWED", 403, "RFQ access is not enabled for this account")
UNMODELLED = {
    ("POST", "/block-trades"): _BLOCK,
    ("POST", "/block-trades/{block_trade_id}/execute"): _BLOCK,
    ("POST", "/block-trades/{block_trade_id}/offers"): _BLOCK,
    ("POST", "/block-trades/{block_trade_id}/offers/{offer_id}/execute"): _BLOCK,
    ("DELETE", "/block-trades/{block_trade_id}"): _BLOCK,
    ("DELETE", "/block-trades/{block_trade_id}/offers/{offer_id}"): _BLOCK,
    ("POST", "/rfqs"): _RFQ,
    ("POST", "/rfqs/drafts"): _RFQ,
    ("POST", "/rfqs/{rfq_id}/execute"): _RFQ,
    ("DELETE", "/rfqs/drafts/{draft_id}"): _RFQ,
    ("DELETE", "/rfqs/{rfq_id}"): _RFQ,
    ("POST", "/account/paradigm/enable"): ("REQUEST_NOT_ALLOWED", 403, "the venue does not enable RFQ (Paradigm) "
                                           "access for this account; the simulator does not model RFQs"),
    ("POST", "/xp/transfer"): ("XP_TRANSFERS_DISABLED", 403, "this account is not whitelisted for XP transfers"),
}


def _decimal(value, name, lo=None, hi=None) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise bad_request(f"invalid {name}: {value!r}") from None
    if not d.is_finite() or (lo is not None and d < lo) or (hi is not None and d > hi):
        raise bad_request(f"invalid {name}: {value!r}")
    return d


def _cidrs(values) -> list:
    if not isinstance(values, list) or len(values) > MAX_CIDRS:
        raise bad_request(f"allowed_cidrs must be an array of at most {MAX_CIDRS} CIDRs")
    out = []
    for value in values:
        try:
            out.append(str(ipaddress.ip_network(str(value), strict=False)))
        except ValueError:
            raise bad_request(f"invalid CIDR {value!r}") from None
    return out


def _public_key(text) -> int:
    try:
        return int(str(text), 16)
    except ValueError:
        raise bad_request("invalid public key", "PUBLIC_KEY_INVALID") from None


def _address(text) -> str:
    """The engine's key of an account address (``hex(int)``), or "" when ``text`` is not one."""
    try:
        return hex(int(str(text), 16))
    except ValueError:
        return ""


def _felt_hash(text: str) -> str:
    return hex(int.from_bytes(hashlib.sha256(text.encode()).digest(), "big") % FELT_MOD)


def _png(text: str, size: int = 29) -> bytes:
    """A blank ``size`` x ``size`` 1-bit PNG carrying ``text`` in a tEXt chunk (the simulator has no QR encoder)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    row = b"\x00" + b"\xff" * ((size + 7) // 8)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0))
            + chunk(b"tEXt", b"URL\x00" + text.encode("latin-1")) + chunk(b"IDAT", zlib.compress(row * size))
            + chunk(b"IEND", b""))


class AccountRoutes:
    def __init__(self, api):
        self.api = api
        self.sim = api.sim
        self.engine = api.engine
        self.claims = api.claims_key

    # ---- helpers ------------------------------------------------------------------------------
    def now(self) -> int:
        return self.sim.clock.ms()

    def acct(self, request):
        return self.api._acct(request)

    def main_key_only(self, request, acct):
        if int(request[self.claims]["pub"], 16) != acct.public_key:
            raise ApiError("REQUEST_NOT_ALLOWED", "only the account's main key may do this", 403)

    async def body(self, request) -> dict:
        if not request.body_exists:
            return {}
        body = await self.api._json(request)
        if body is None:
            return {}
        return json_object(body)

    def page(self, request, items, max_page=None):
        kwargs = {"max_page": max_page} if max_page else {}
        return self.sim.pager.page(items, request.query, **kwargs)

    def accounts(self):
        return [a for address, a in self.engine.accounts.items() if address not in self.engine.ephemeral]

    # ---- profile and settings -----------------------------------------------------------------
    @staticmethod
    def profile_json(acct) -> dict:
        p = acct.profile
        out = {"username": p["username"], "is_username_private": p["is_username_private"],
               "referral_code": p["referral_code"], "referred_by": p["referred_by"], "marketed_by": "",
               "size_currency_display": p["size_currency_display"], "market_max_slippage": dict(p["market_max_slippage"]),
               "notifications": dict(p["notifications"]), "last_seen_notification": p["last_seen_notification"],
               "ai_agent_url": p["ai_agent_url"], "tap_status": "NONE", "nfts": [], "twitter_following": {}}
        for name in ("tap_share_rate", "xp_share_rate"):
            if p[name] is not None:
                out[name] = dict(p[name])
        return out  # no twitter / discord linked, no referral program: left out

    def _username(self, acct, username) -> str:
        if not isinstance(username, str) or not username.strip():
            raise bad_request("username must be a non-empty string")
        if any(a is not acct and a.profile["username"].lower() == username.lower() for a in self.accounts()):
            raise ApiError("USERNAME_IN_USE", f"username {username!r} is in use", 400)
        return username

    def _referral_code(self, acct, code) -> str:
        if code is None:
            raise bad_request("referral_code is required")
        if not isinstance(code, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code):
            raise ApiError("INVALID_REFERRAL_CODE", f"invalid referral code {code!r}", 400)
        if any(a is not acct and a.profile["referral_code"].lower() == code.lower() for a in self.accounts()):
            raise ApiError("NOT_UNIQUE", f"referral code {code!r} is in use", 400)
        return code

    def _referrer(self, acct, code) -> str:
        """-> the referral code of the account that referred ``acct`` (another account's, once)."""
        if not isinstance(code, str) or not code:
            raise bad_request("the referrer's referral code is required")
        owner = next((a for a in self.accounts() if a.profile["referral_code"].lower() == code.lower()), None)
        if owner is None or owner is acct:
            raise ApiError("INVALID_REFERRAL_CODE", f"no other account has referral code {code!r}", 400)
        if acct.profile["referred_by"] and acct.profile["referred_by"].lower() != code.lower():
            raise ApiError("ACCOUNT_ALREADY_REFERRED", "the account already has a referrer", 400)
        return owner.profile["referral_code"]

    def _share_rate(self, value, name) -> dict:
        rate = _decimal(value, name, ZERO, Decimal(1))
        return {"share_rate": fmt(rate), "last_updated_at": self.now()}

    @staticmethod
    def _text(value, name) -> str:
        if not isinstance(value, str) or not value:
            raise bad_request(f"{name} must be a non-empty string")
        return value

    async def profile_get(self, request):
        return 200, self.profile_json(self.acct(request))

    async def profile_put(self, request):
        """Every field given is checked before any is applied: a refused update changes nothing. An empty string
        leaves its field as it is."""
        acct = self.acct(request)
        body = await self.body(request)
        changes: dict = {}
        notifications = {k: bool(body[k]) for k in acct.profile["notifications"] if k in body}
        settings: dict = {}
        if "is_username_private" in body:
            changes["is_username_private"] = bool(body["is_username_private"])
        if "ai_agent_url" in body:
            changes["ai_agent_url"] = str(body["ai_agent_url"])
        if body.get("size_currency_display"):
            changes["size_currency_display"] = body["size_currency_display"]
        if body.get("trading_value_display"):
            settings["trading_value_display"] = body["trading_value_display"]
        if body.get("max_slippage"):  # no profile field shows an account-wide max slippage: kept, not shown
            changes["max_slippage"] = fmt(_decimal(body["max_slippage"], "max_slippage", ZERO, Decimal(1)))
        for name in ("tap_share_rate", "xp_share_rate"):
            if body.get(name):
                changes[name] = self._share_rate(body[name], name)
        if body.get("username"):
            changes["username"] = self._username(acct, body["username"])
        if body.get("referral_code"):
            changes["referral_code"] = self._referral_code(acct, body["referral_code"])
        if body.get("referred_by"):
            changes["referred_by"] = self._referrer(acct, body["referred_by"])
        acct.profile.update(changes)
        acct.profile["notifications"].update(notifications)
        acct.settings.update(settings)
        return 200, self.profile_json(acct)

    async def username_post(self, request):
        acct = self.acct(request)
        body = await self.body(request)
        acct.profile["username"] = self._username(acct, body.get("username"))
        if "is_username_private" in body:
            acct.profile["is_username_private"] = bool(body["is_username_private"])
        return 200, self.profile_json(acct)

    async def referral_code_post(self, request):
        acct = self.acct(request)
        body = await self.body(request)
        acct.profile["referral_code"] = self._referral_code(acct, body.get("referral_code"))
        return 200, self.profile_json(acct)

    async def referrer_post(self, request):
        acct = self.acct(request)
        body = await self.body(request)
        acct.profile["referred_by"] = self._referrer(acct, body.get("referral_code") or body.get("referred_by"))
        return 200, self.profile_json(acct)

    async def size_currency_display_post(self, request):
        acct = self.acct(request)
        body = await self.body(request)
        acct.profile["size_currency_display"] = self._text(body.get("size_currency_display"), "size_currency_display")
        return 200, self.profile_json(acct)

    async def market_max_slippage_post(self, request):
        acct = self.acct(request)
        spec = self.api._market(request.match_info["market"])
        body = await self.body(request)
        slippage = _decimal(body.get("max_slippage"), "max_slippage", ZERO, Decimal(1))
        if slippage <= 0:
            raise bad_request("max_slippage must be positive")
        acct.profile["market_max_slippage"][spec.symbol] = fmt(slippage)
        return 200, self.profile_json(acct)

    async def notifications_post(self, request):
        acct = self.acct(request)
        body = await self.body(request)
        for key in ("announcements", "fill_sound", "fills", "orders", "transfers"):
            if key in body:
                acct.profile["notifications"][key] = bool(body[key])
        return 200, self.profile_json(acct)

    async def last_seen_post(self, request):
        acct = self.acct(request)
        acct.profile["last_seen_notification"] = self.now()
        return 200, self.profile_json(acct)

    async def refresh_inventory_post(self, request):
        self.acct(request)
        return 200, {"nfts": []}  # the simulator's accounts hold no NFTs

    async def settings_get(self, request):
        return 200, {"trading_value_display": self.acct(request).settings["trading_value_display"]}

    async def trading_value_display_post(self, request):
        acct = self.acct(request)
        body = await self.body(request)
        acct.settings["trading_value_display"] = self._text(body.get("trading_value_display"), "trading_value_display")
        return 200, self.profile_json(acct)  # the spec answers this one with the profile

    # ---- compliance ---------------------------------------------------------------------------
    async def compliance_get(self, request):
        acct = self.acct(request)
        return 200, {"results": [dict(r) for r in reversed(acct.compliance)]}

    async def compliance_post(self, request):
        acct = self.acct(request)
        body = await self.body(request)
        acct.compliance.append({"action_type": self._text(body.get("action_type"), "action_type"),
                                "action_version": self._text(body.get("action_version"), "action_version"),
                                "created_at": self.now()})
        return 200, {}

    # ---- summaries and history ----------------------------------------------------------------
    async def summary(self, request):
        # the main account plus the accounts it is authorized for: the simulator has no subaccounts
        return 200, {"results": [self.engine.account_summary(self.acct(request))]}

    @staticmethod
    def _events(acct) -> list:
        """[(time, cash change, PnL change, traded notional)] of every balance-changing event, oldest first."""
        events = []
        for t in acct.transfers:
            if t.get("status") in ("COMPLETED", "AVAILABLE"):
                amount = Decimal(t["amount"])
                events.append((t["created_at"], amount if t.get("direction") == "IN" else -amount, ZERO, ZERO))
        busted = {b["busted_fill_id"] for b in acct.tradebusts}  # a busted fill moved nothing (engine.bust reversed it)
        for f in acct.fills:  # the fill's realized funding is also a funding payment row: counted there
            if f["id"] in busted:
                continue
            pnl = Decimal(f["realized_pnl"]) - Decimal(f["fee"])
            events.append((f["created_at"], pnl, pnl, Decimal(f["size"]) * Decimal(f["price"])))
        for p in acct.funding_payments:
            events.append((p["created_at"], Decimal(p["payment"]), Decimal(p["payment"]), ZERO))
        events.sort(key=lambda e: e[0])
        return events

    async def history(self, request):
        acct = self.acct(request)
        kind = request.query.get("type")
        points: dict = {}  # time -> cumulative value after every event at that instant
        cash = pnl = volume = ZERO
        for at, d_cash, d_pnl, d_volume in self._events(acct):
            cash, pnl, volume = cash + d_cash, pnl + d_pnl, volume + d_volume
            if kind == "value":
                points[at] = cash
            elif kind == "pnl" and (d_pnl or d_volume):
                points[at] = pnl
            elif kind == "volume" and d_volume:
                points[at] = volume
            elif kind == "fee_savings" and d_volume:
                points[at] = ZERO
        if kind in ("value", "pnl") and points:
            value = self.engine.margin(acct)[0]
            points[self.now()] = value if kind == "value" else pnl + value - acct.balance
        times = sorted(points)
        return 200, {"timestamps": times, "data": [float(points[t]) for t in times]}

    async def transactions(self, request):
        acct = self.acct(request)
        busted = {b["busted_fill_id"] for b in acct.tradebusts}  # a busted trade's transaction was reverted
        rows = [{"id": f["id"], "type": "TRANSACTION_FILL",  # (the engine's fills are all fill_type FILL)
                 "state": "REVERTED" if f["id"] in busted else "ACCEPTED_ON_L2",
                 "hash": _felt_hash("trade:" + f["id"][:-1]), "created_at": f["created_at"],
                 "completed_at": f["created_at"]} for f in reversed(acct.fills)]
        return 200, self.page(request, rows)

    async def tradebusts(self, request):
        acct = self.acct(request)
        return 200, self.page(request, [dict(b) for b in reversed(acct.tradebusts)])

    # ---- API tokens ---------------------------------------------------------------------------
    def _token(self, acct, lookup_id, status=404) -> dict:
        token = acct.tokens.get(lookup_id)
        if token is None:
            raise ApiError("NOT_FOUND", f"token {lookup_id!r} not found", status)
        return token

    async def tokens_list(self, request):
        acct = self.acct(request)
        q = request.query
        now_ns = self.now() * NS_PER_MS
        with_invalid = q.get("with_invalid") == "true"
        rows = [dict(t, allowed_cidrs=list(t["allowed_cidrs"])) for t in acct.tokens.values()
                if (not q.get("kind") or t["kind"] == q["kind"])
                and (with_invalid or (not t["revoked_at"] and t["expiry_at"] > now_ns))]
        return 200, {"results": rows[::-1]}

    async def token_create(self, request):
        acct = self.acct(request)
        body = await self.body(request)
        duration = body.get("expiry_duration")
        if not isinstance(duration, int) or not TOKEN_EXPIRY_S[0] <= duration <= TOKEN_EXPIRY_S[1]:
            raise bad_request(f"expiry_duration must be {TOKEN_EXPIRY_S[0]}..{TOKEN_EXPIRY_S[1]} seconds")
        now = self.now()
        lookup_id = os.urandom(16).hex()
        record = {"token_id": "tok_" + os.urandom(8).hex(), "lookup_id": lookup_id,
                  "name": self._text(body.get("name"), "name"), "kind": self._text(body.get("token_type"), "token_type"),
                  "allowed_cidrs": _cidrs(body.get("allowed_cidrs") or []), "created_at": now * NS_PER_MS,
                  "last_updated_at": now * NS_PER_MS, "expiry_at": (now + duration * 1000) * NS_PER_MS, "revoked_at": 0}
        acct.tokens[lookup_id] = record

        claims = {"sub": acct.address, "jti": record["token_id"], "iat": now // 1000, "exp": now // 1000 + duration,
                  "token_usage": record["kind"]}
        token = ".".join(_b64(json.dumps(part, separators=(",", ":")).encode())
                         for part in ({"alg": "HS256", "typ": "JWT"}, claims)) + "." + _b64(os.urandom(32))
        return 200, {"api_token": dict(record, allowed_cidrs=list(record["allowed_cidrs"])), "token": token}

    async def token_cidrs(self, request):
        acct = self.acct(request)
        self.main_key_only(request, acct)
        token = self._token(acct, request.match_info["lookup_id"])
        body = await self.body(request)
        token["allowed_cidrs"] = _cidrs(body.get("allowed_cidrs") or [])
        token["last_updated_at"] = self.now() * NS_PER_MS
        return 200, dict(token, allowed_cidrs=list(token["allowed_cidrs"]))

    async def token_revoke(self, request):
        acct = self.acct(request)
        token = self._token(acct, request.match_info["lookup_id"], status=400)  # the spec lists no 404 here
        if not token["revoked_at"]:
            token["revoked_at"] = token["last_updated_at"] = self.now() * NS_PER_MS
        return 200, {"lookup_id": token["lookup_id"]}

    # ---- subkeys ------------------------------------------------------------------------------
    def _subkey(self, acct, request) -> int:
        key = _public_key(request.match_info["public_key"])
        if key not in acct.subkeys:
            raise ApiError("NOT_FOUND", "subkey not found", 404)
        return key

    async def subkeys_list(self, request):
        acct = self.acct(request)
        return 200, {"results": [acct.subkey_json(k) for k in acct.subkeys]}

    async def subkey_add(self, request):
        acct = self.acct(request)
        self.main_key_only(request, acct)  # subkeys cannot manage subkeys
        body = await self.body(request)
        key = _public_key(body.get("public_key"))
        cidrs = _cidrs(body.get("allowed_cidrs") or [])
        acct.subkeys[key] = body.get("state") or "active"
        now_ns = self.now() * NS_PER_MS
        acct.subkey_meta[key] = {"name": body.get("name") or "", "allowed_cidrs": cidrs, "created_at": now_ns,
                                 "updated_at": now_ns, "revoked_at": 0,
                                 **{k: body[k] for k in ("encrypted_key", "eph_public_key") if body.get(k)}}
        return 201, {}

    async def subkey_revoke(self, request):
        acct = self.acct(request)
        key = self._subkey(acct, request)
        acct.subkeys[key] = "revoked"
        meta = acct.subkey_meta.setdefault(key, {})
        meta["revoked_at"] = meta["updated_at"] = self.now() * NS_PER_MS
        return 200, {"public_key": hex(key)}

    async def subkey_get(self, request):
        acct = self.acct(request)
        return 200, acct.subkey_json(self._subkey(acct, request))

    async def subkey_update(self, request):
        acct = self.acct(request)
        self.main_key_only(request, acct)
        key = self._subkey(acct, request)
        body = await self.body(request)
        meta = acct.subkey_meta.setdefault(key, {})
        meta["name"] = str(body.get("name", ""))
        meta["updated_at"] = self.now() * NS_PER_MS
        return 200, acct.subkey_json(key)

    async def subkey_cidrs(self, request):
        acct = self.acct(request)
        self.main_key_only(request, acct)  # the spec: subkeys cannot widen their own allowlist
        key = self._subkey(acct, request)
        body = await self.body(request)
        meta = acct.subkey_meta.setdefault(key, {})
        meta["allowed_cidrs"] = _cidrs(body.get("allowed_cidrs") or [])
        meta["updated_at"] = self.now() * NS_PER_MS
        return 200, acct.subkey_json(key)

    async def subkey_activate(self, request):
        """No JWT: the holder of the ephemeral key signs pedersen(timestamp, eph_public_key) and receives the
        encrypted subkey the main account registered with it (state ``pending``). The registration's
        ``eph_public_key`` / ``encrypted_key`` are read from ``acct.subkey_meta``; a pending subkey registered
        without them cannot be activated."""
        body = await self.body(request)
        acct = self.engine.accounts.get(_address(body.get("account_id")))
        key = _public_key(body.get("public_key"))
        if acct is None or key not in acct.subkeys:
            raise ApiError("NOT_FOUND", "no such subkey", 404)
        meta = acct.subkey_meta.setdefault(key, {})
        if acct.subkeys[key] != "pending" or not meta.get("eph_public_key") or not meta.get("encrypted_key"):
            raise ApiError("SUBKEY_NOT_ACTIVATABLE", f"subkey is {acct.subkeys[key]}, not a pending registration", 403)
        timestamp = body.get("timestamp")
        if not isinstance(timestamp, int) or abs(self.sim.clock.s() - timestamp) > 300:
            raise ApiError("INVALID_TIMESTAMP", f"timestamp {timestamp!r} is too far from server time", 400)
        eph = _public_key(meta["eph_public_key"])
        if not signing.verify(eph, backend.pedersen(timestamp, eph), body.get("signature")):
            raise ApiError("STARKNET_SIGNATURE_VERIFICATION_FAILED", "activation signature verification failed", 400)
        acct.subkeys[key] = "active"
        if body.get("name"):
            meta["name"] = str(body["name"])
        meta["updated_at"] = self.now() * NS_PER_MS
        return 200, {"encrypted_key": meta["encrypted_key"]}

    # ---- what the simulator has none of -------------------------------------------------------
    async def block_trades(self, request):
        self.acct(request)
        return 200, self.page(request, [])

    async def block_trade_missing(self, request):
        self.acct(request)
        raise ApiError("BLOCK_TRADE_NOT_FOUND", f"block trade {request.match_info['block_trade_id']} not found", 404)

    async def rfqs(self, request):
        self.acct(request)
        page = self.page(request, [], max_page=1000)
        return 200, {"next": page["next"], "results": page["results"]}  # RfqResults has no prev

    async def rfq_drafts(self, request):
        self.acct(request)
        return 200, {"results": []}

    async def rfq_markets(self, request):
        # ccxt's paradex defines GET /rfqs/markets; the OpenAPI file does not list it, so no schema says its shape:
        # {"results": [...]} as the other lists, empty (no market is open to this account's RFQs)
        self.acct(request)
        return 200, {"results": []}

    async def rfq_bbo(self, request):
        self.acct(request)
        raise ApiError("NOT_FOUND", f"RFQ {request.match_info['rfq_id']} not found", 404)

    async def referral_qr(self, request):
        acct = self.acct(request)
        code = acct.profile["referral_code"]
        if not code:
            raise ApiError("INVALID_REFERRAL_CODE", "the account has no referral code", 400)
        # image/png, not JSON: sent past RestApi's JSON answer (aiohttp sends a raised 2xx HTTPException as the
        # response; no response schema applies to an image)
        answer = web.HTTPOk(content_type="image/png")
        answer.body = _png(REFERRAL_LINK + code)
        answer.charset = None  # (an HTTP exception's default text body set one)
        raise answer

    async def referrals_summary(self, request):
        acct = self.acct(request)
        code = acct.profile["referral_code"].lower()
        rows = []
        for referee in self.accounts():
            if code and referee is not acct and referee.profile["referred_by"].lower() == code:
                volume = sum((Decimal(f["size"]) * Decimal(f["price"]) for f in referee.fills), ZERO)
                rows.append({"address": referee.address, "created_at": referee.created_at,
                             "referral_code": acct.profile["referral_code"], "volume_traded": fmt(volume),
                             "referral_rewards": "0"})  # the simulator pays no referral commission
        return 200, {"results": rows}

    async def staking_balance_history(self, request):
        self.acct(request)
        return 200, {"timestamps": [], "data": []}  # never staked

    async def staking_history(self, request):
        self.acct(request)
        return 200, {"results": []}

    async def staking_summary(self, request):
        acct = self.acct(request)
        return 200, {"account": acct.address, "active_stakes": 0, "staking_tier": "", "total_staked": "0"}

    async def vaults_account_summary(self, request):
        self.acct(request)
        return 200, {"results": []}  # a depositor of no vault

    async def vaults_mine(self, request):
        self.acct(request)
        return 200, {"results": []}

    async def xp_balance(self, request):
        self.acct(request)
        return 200, {"earned_xp": 0, "transferrable_xp": 0, "xp_delta": 0}

    async def xp_transfers(self, request):
        self.acct(request)
        return 200, self.page(request, [])

    # ---- writes answered with a documented refusal --------------------------------------------
    def refuse(self, method, path):
        code, status, message = UNMODELLED[(method, path)]

        async def handler(request):
            self.acct(request)
            raise ApiError(code, message, status)
        return handler

    async def terminal_token(self, request):
        acct = self.acct(request)
        claims = request[self.claims]
        if claims.get("token_usage") != "interactive" or int(claims["pub"], 16) != acct.public_key:
            raise ApiError("INVALID_TOKEN_SCOPE", "a terminal token needs an interactive session of the account's "
                           "own key", 403)
        raise ApiError("REQUEST_NOT_ALLOWED", "terminal tokens are not minted by the simulator", 403)

    async def vault_create(self, request):
        # no JWT: the request is signed in headers. Vaults are not modelled: refused as for an account that may
        # create none (after the account check a real venue makes first)
        if _address(request.headers.get("PARADEX-STARKNET-ACCOUNT")) not in self.engine.accounts:
            raise not_onboarded()
        raise ApiError("REQUEST_NOT_ALLOWED", "vault creation is not available to this account (the simulator "
                       "does not model vaults)", 400)

    # ---- the table ----------------------------------------------------------------------------
    def table(self) -> list:
        r = [
            ("GET", "/account/compliance", self.compliance_get),
            ("POST", "/account/compliance", self.compliance_post),
            ("GET", "/account/history", self.history),
            ("GET", "/account/profile", self.profile_get),
            ("PUT", "/account/profile", self.profile_put),
            ("POST", "/account/profile/username", self.username_post),
            ("POST", "/account/profile/referral_code", self.referral_code_post),
            ("POST", "/account/profile/size_currency_display", self.size_currency_display_post),
            ("POST", "/account/profile/market_max_slippage/{market}", self.market_max_slippage_post),
            ("POST", "/account/profile/notifications", self.notifications_post),
            ("POST", "/account/profile/notifications/last_seen", self.last_seen_post),
            ("POST", "/account/profile/refresh_inventory", self.refresh_inventory_post),
            ("POST", "/account/referrer", self.referrer_post),
            ("GET", "/account/settings", self.settings_get),
            ("POST", "/account/settings/trading_value_display", self.trading_value_display_post),
            ("GET", "/account/summary", self.summary),
            ("GET", "/account/tokens", self.tokens_list),
            ("POST", "/account/tokens", self.token_create),
            ("PUT", "/account/tokens/{lookup_id}/allowed-cidrs", self.token_cidrs),
            ("DELETE", "/account/tokens/{lookup_id}", self.token_revoke),
            ("GET", "/account/keys/subkeys", self.subkeys_list),
            ("POST", "/account/keys/subkeys", self.subkey_add),
            ("DELETE", "/account/keys/subkeys/{public_key}", self.subkey_revoke),
            ("GET", "/account/keys/subkeys/{public_key}", self.subkey_get),
            ("PUT", "/account/keys/subkeys/{public_key}", self.subkey_update),
            ("PUT", "/account/keys/subkeys/{public_key}/allowed-cidrs", self.subkey_cidrs),
            ("POST", "/account/keys/subkeys/activate", self.subkey_activate),
            ("POST", "/account/terminal-token", self.terminal_token),
            ("GET", "/block-trades", self.block_trades),
            ("GET", "/block-trades/{block_trade_id}", self.block_trade_missing),
            ("GET", "/block-trades/{block_trade_id}/offers", self.block_trade_missing),
            ("GET", "/block-trades/{block_trade_id}/offers/{offer_id}", self.block_trade_missing),
            ("GET", "/referrals/qr-code", self.referral_qr),
            ("GET", "/referrals/summary", self.referrals_summary),
            ("GET", "/rfqs", self.rfqs),
            ("GET", "/rfqs/drafts", self.rfq_drafts),
            ("GET", "/rfqs/markets", self.rfq_markets),
            ("GET", "/rfqs/{rfq_id}/bbo", self.rfq_bbo),
            ("GET", "/staking/balance/history", self.staking_balance_history),
            ("GET", "/staking/history", self.staking_history),
            ("GET", "/staking/summary", self.staking_summary),
            ("GET", "/tradebusts", self.tradebusts),
            ("GET", "/transactions", self.transactions),
            ("GET", "/vaults/account-summary", self.vaults_account_summary),
            ("GET", "/vaults/mine", self.vaults_mine),
            ("POST", "/vaults", self.vault_create),
            ("GET", "/xp/account-balance", self.xp_balance),
            ("GET", "/xp/transfers", self.xp_transfers),
        ]
        r += [(m, p, self.refuse(m, p)) for m, p in UNMODELLED]
        return r


def routes(api) -> list:
    """-> [(METHOD, /path as the OpenAPI file writes it, handler)]; ``api`` is the RestApi
    (``sim/rest.py``). A handler takes the aiohttp request and returns (status, body)."""
    return AccountRoutes(api).table()
