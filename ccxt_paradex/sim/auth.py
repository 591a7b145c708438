"""Onboarding, STARK-signed auth requests and the 5-minute JWTs the simulator issues."""
import base64
import hashlib
import hmac
import json
import os

from ..core import keys, signing
from .errors import ApiError, unauthorized

JWT_TTL_S = 300
MAX_SIGNATURE_EXPIRATION_S = 7 * 24 * 3600
DEFAULT_SIGNATURE_EXPIRATION_S = 1800
TIMESTAMP_TOLERANCE_S = 300


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Authority:
    """Registers accounts' keys and issues / checks JWTs. ``clock`` returns unix seconds (float)."""

    def __init__(self, config: dict, clock, jwt_ttl=JWT_TTL_S):
        self.config = config
        self.clock = clock
        self.jwt_ttl = jwt_ttl
        self._secret = os.urandom(32)
        self.chain_id = config["starknet_chain_id"]

    def address_for(self, public_key: int) -> int:
        return keys.account_address(public_key, self.config["paraclear_account_proxy_hash"],
                                    self.config["paraclear_account_hash"])

    def check_onboarding(self, headers, body) -> tuple:
        """-> (account address hex, public key int, eth address) or ApiError."""
        account = headers.get("PARADEX-STARKNET-ACCOUNT")
        sig = headers.get("PARADEX-STARKNET-SIGNATURE")
        eth = headers.get("PARADEX-ETHEREUM-ACCOUNT", "")
        if not account:
            raise ApiError("INVALID_STARKNET_ADDRESS", "missing PARADEX-STARKNET-ACCOUNT header", 400)
        if not sig:
            raise ApiError("INVALID_STARKNET_SIGNATURE", "missing PARADEX-STARKNET-SIGNATURE header", 400)
        try:
            public_key = int(str((body or {}).get("public_key")), 16)
            address = int(account, 16)
        except (TypeError, ValueError):
            raise ApiError("PUBLIC_KEY_INVALID", "invalid public_key or account", 400) from None
        if self.address_for(public_key) != address:
            raise ApiError("INVALID_STARKNET_ADDRESS", "account address does not match public_key", 400)
        if not signing.verify(public_key, signing.onboarding_hash(self.chain_id, address), sig):
            raise ApiError("STARKNET_SIGNATURE_VERIFICATION_FAILED", "onboarding signature verification failed", 400)
        return hex(address), public_key, eth

    def check_auth(self, headers, accounts, path_public_key=None) -> tuple:
        """Verify a POST /auth request -> (account record, signer public key)."""
        account_hex = headers.get("PARADEX-STARKNET-ACCOUNT")
        sig = headers.get("PARADEX-STARKNET-SIGNATURE")
        ts, exp = headers.get("PARADEX-TIMESTAMP"), headers.get("PARADEX-SIGNATURE-EXPIRATION")
        if not account_hex or not sig or ts is None:
            raise unauthorized("missing PARADEX-STARKNET-ACCOUNT, PARADEX-STARKNET-SIGNATURE or PARADEX-TIMESTAMP header",
                               "INVALID_REQUEST_PARAMETER")
        try:
            address = int(account_hex, 16)
            ts = int(ts)
            exp = int(exp) if exp is not None else ts + DEFAULT_SIGNATURE_EXPIRATION_S
        except ValueError:
            raise ApiError("INVALID_REQUEST_PARAMETER", "malformed auth headers", 400) from None
        acct = accounts.get(hex(address))
        if acct is None:
            raise ApiError("NOT_ONBOARDED", "User has never called /onboarding endpoint", 400)
        now = self.clock()
        if abs(now - ts) > TIMESTAMP_TOLERANCE_S:
            raise ApiError("INVALID_TIMESTAMP", f"timestamp {ts} is too far from server time {int(now)}", 400)
        if exp <= now or exp - ts > MAX_SIGNATURE_EXPIRATION_S:
            raise ApiError("INVALID_SIGNATURE_EXPIRATION", f"signature expiration {exp} is invalid", 400)
        signer_key = acct.public_key
        if path_public_key is not None:
            try:
                requested = int(path_public_key, 16)
            except ValueError:
                raise ApiError("PUBLIC_KEY_INVALID", "invalid public key in path", 400) from None
            if requested != acct.public_key:
                if acct.subkeys.get(requested) != "active":
                    raise unauthorized("subkey is not registered or not active", "INVALID_SUBKEY")
                signer_key = requested
        digest = signing.auth_hash(self.chain_id, address, ts, exp)
        if not signing.verify(signer_key, digest, sig):
            raise unauthorized("auth signature verification failed", "STARKNET_SIGNATURE_VERIFICATION_FAILED")
        return acct, signer_key

    def issue_jwt(self, account: str, signer_key: int, interactive=False) -> str:
        now = int(self.clock())
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        claims = {"sub": account, "pub": hex(signer_key), "iat": now, "exp": now + self.jwt_ttl,
                  "token_usage": "interactive" if interactive else "api", "jti": _b64(os.urandom(9))}
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        sig = _b64(hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        return f"{header}.{payload}.{sig}"

    def check_bearer(self, authorization) -> dict:
        if not authorization or not authorization.startswith("Bearer "):
            raise unauthorized("missing or malformed jwt")
        token = authorization[7:].strip()
        parts = token.split(".")
        if len(parts) != 3:
            raise unauthorized("missing or malformed jwt")
        expected = _b64(hmac.new(self._secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, parts[2]):
            raise unauthorized("invalid bearer jwt: signature is invalid")
        try:
            claims = json.loads(_unb64(parts[1]))
        except ValueError:
            raise unauthorized("missing or malformed jwt") from None
        late = self.clock() - claims["exp"]
        if late >= 0:
            raise unauthorized(f"invalid bearer jwt: token is expired by {late:.0f}s")
        return claims
