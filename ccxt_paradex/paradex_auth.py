# GENERATED from ccxt_paradex/async_support/paradex_auth.py by tools/gen_sync.py -- do not edit by hand.
"""Credentials, the STARK signer, onboarding and the JWT life cycle (mixin of the paradex class).

Credential sources, first match wins:
  options['paradexSubkey']  = {'privateKey': subkey, 'address': main account}   -> POST /auth/{subkey public key}
  options['paradexAccount'] = {'privateKey': L2 key, 'address': L2 account}     (ccxt's built-in option)
  privateKey (+ walletAddress) + options['accountType'] = 'evm'                  -> an EVM-keyed account (SIWE)
  privateKey (+ walletAddress) as an Ethereum L1 key                             -> L2 key derived
  env PARADEX_STARKNET_ACCOUNT + PARADEX_STARKNET_PRIVATE_KEY                    (read at construction)
The JWT is refreshed at ~60% of its life, by one request however many callers
are waiting, and a request that meets an expired JWT is retried once.

One Ethereum key can own two Paradex accounts: the StarkNet account of the STARK key derived from it (the
default, ccxt's) and the EVM-native account (an Argent account whose owner is the Ethereum key itself,
options['accountType'] = 'evm'). The EVM account logs in with a Sign-In-with-Ethereum message signed
personal_sign (POST /v2/auth; onboarded by POST /v2/onboarding on first login) and reads everything the
JWT opens, but it has no STARK key to sign orders with: as in Paradex's SDK, it trades through a StarkNet
subkey it registers, create_trading_subkey() (then options['paradexSubkey'] for later sessions).
"""
from ccxt.base.types import Str
import threading
import base64
import json
import os
import re
import secrets
import time

from ccxt.base.errors import AuthenticationError, ExchangeError, InvalidNonce, NotSupported

from .core import curve, keys, signing, siwe

JWT_REFRESH_FRACTION = 0.6
JWT_HANDED_IN_MARGIN = 5  # s: a handed-in JWT this close to its exp is not used
AUTH_SIGNATURE_TTL = 300
EVM = "evm"  # options['accountType'] of an EVM-keyed account
_ETH_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def _jwt_times(token: str):
    """(iat, exp) in seconds from a JWT's claims, or (None, None) when unreadable."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return claims.get("iat"), claims.get("exp")
    except (IndexError, ValueError, AttributeError):
        return None, None


def _account_of(l2_key: int, config: dict) -> int:
    """The Paradex account address a STARK key controls, from /system/config's class hashes."""
    return keys.account_address(keys.public_key(l2_key), config["paraclear_account_proxy_hash"],
                                config["paraclear_account_hash"])


class ParadexAuth:
    def _init_auth(self):
        self._signer = None
        self._evm = None  # (EIP-55 address, account address int) of an EVM-keyed account, once derived
        self._auth_lock = threading.Lock()  # created up front: a lazy one could be created twice by two threads (sync twin)
        self._jwt_refresh_at = 0.0
        self._jwt_own = None  # the token this class fetched itself (any other options['authToken'] was handed in)
        self._jwt_refused = None  # the token the venue last refused: never fresh, whatever its expiry says
        self._jwt_handed_exp = (None, None)  # (handed-in token, its exp claim): decoded once per token
        self.auth_requests = 0  # POST /auth calls made, for diagnostics
        account, key = os.environ.get("PARADEX_STARKNET_ACCOUNT"), os.environ.get("PARADEX_STARKNET_PRIVATE_KEY")
        if account and key and not self.safe_dict(self.options, "paradexAccount") and not self.privateKey:
            self.options["paradexAccount"] = {"address": account, "privateKey": key}
        if os.environ.get("PARADEX_TESTNET", "").lower() in ("1", "true", "yes"):
            self.set_sandbox_mode(True)

    def get_system_config(self) -> dict:
        config = self.safe_dict(self.options, "systemConfig")
        if config is None:
            config = self.publicGetSystemConfig()
            self.options["systemConfig"] = config
            self._config_fetched = config
        return config

    def set_sandbox_mode(self, enabled: bool):
        """ccxt's URL switch, and what was derived from the other environment goes with it: a system config this
        class fetched (chain id, account class hashes), the signer built on it and the JWT it obtained."""
        super().set_sandbox_mode(enabled)  # type: ignore[misc]  # ccxt's Exchange, next in the composed class
        options = self.options
        if options.get("systemConfig") is not None and options.get("systemConfig") is getattr(self, "_config_fetched", None):
            options["systemConfig"] = None
        self._config_fetched = None
        self._signer = None
        self._evm = None
        own = getattr(self, "_jwt_own", None)
        if own is not None and options.get("authToken") == own:
            options["authToken"] = None
        self._jwt_own = None
        self._jwt_refresh_at = 0.0

    def _has_l1_key(self) -> bool:
        """privateKey is the Ethereum key the (StarkNet) account's STARK key is derived from."""
        return bool(self.privateKey) and not self.safe_dict(self.options, "paradexAccount") \
            and not self.safe_dict(self.options, "paradexSubkey") and not self.is_evm

    @property
    def is_evm(self) -> bool:
        """privateKey is the owner key of an EVM-keyed account (options['accountType'] = 'evm'), and no subkey or
        L2 key (which come first) is configured."""
        return bool(self.privateKey) and str(self.safe_string(self.options, "accountType", "")).lower() == EVM \
            and not self.safe_dict(self.options, "paradexAccount") and not self.safe_dict(self.options, "paradexSubkey")

    def evm_account(self) -> tuple:
        """(EIP-55 Ethereum address, Paradex account address int) of the EVM-keyed account privateKey owns."""
        if self._evm is not None:
            return self._evm
        config = self.get_system_config()
        eth = self._check_l1_credentials()
        class_hash = self.safe_string(config, "paraclear_evm_account_hash")
        if not class_hash:
            raise AuthenticationError(self.id + " /system/config has no paraclear_evm_account_hash: this venue does not "
                                      "say how EVM accounts are derived (options['accountType'] = 'evm')")
        self._evm = (eth, keys.evm_account_address(eth, class_hash))
        return self._evm

    def _siwe_domain(self, config) -> str:
        """options['siweDomain'], else the app domain of the API's environment (core/siwe.domain_for)."""
        domain = self.safe_string(self.options, "siweDomain")
        if domain:
            return domain
        url = self.implode_hostname(self.urls["api"].get("v2") or self.urls["api"].get("v1") or "")
        host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return siwe.domain_for(host, config.get("l1_chain_id"))

    def _siwe_headers(self, statement: str, expires: bool) -> dict:
        """PARADEX-STARKNET-ACCOUNT, PARADEX-EVM-SIGNATURE and PARADEX-SIWE-MESSAGE for a login or an onboarding,
        timed by the venue's clock (options['timeDifference'])."""
        config = self.get_system_config()
        eth, account = self.evm_account()
        now = self.now_ms() // 1000
        ttl = self.safe_integer(self.options, "authSignatureTtl", AUTH_SIGNATURE_TTL)
        message = siwe.build_message(self._siwe_domain(config), eth, statement, config["l1_chain_id"], siwe.new_nonce(),
                                     now, now + ttl if expires else None)
        return {"PARADEX-STARKNET-ACCOUNT": hex(account), "PARADEX-EVM-SIGNATURE": siwe.sign(message, self.privateKey),
                "PARADEX-SIWE-MESSAGE": siwe.encode_header(message)}

    def stark_signer(self) -> signing.StarkSigner:
        if self._signer is not None:
            return self._signer
        config = self.get_system_config()
        chain = config["starknet_chain_id"]
        sub = self.safe_dict(self.options, "paradexSubkey")
        acct = self.safe_dict(self.options, "paradexAccount")
        if sub:
            signer = signing.StarkSigner(sub.get("privateKey"), sub.get("address"), chain)
        elif acct and acct.get("privateKey") is not None:
            key = acct["privateKey"]
            address = acct.get("address")
            if address is None:
                address = _account_of(keys.parse_stark_private_key(key), config)
            signer = signing.StarkSigner(key, address, chain)
        elif self.is_evm:
            eth, account = self.evm_account()
            raise AuthenticationError(self.id + " the EVM account " + hex(account) + " of " + eth + " has no STARK key to "
                                      "sign orders with: it trades through a StarkNet subkey it registers, "
                                      "create_trading_subkey() (or options['paradexSubkey'] = {'privateKey': subkey, "
                                      "'address': '" + hex(account) + "'} for one registered before)")
        elif self.privateKey:
            self._check_l1_credentials()
            l2 = keys.derive_l2_private_key(self.privateKey, config["l1_chain_id"])
            signer = signing.StarkSigner(l2, _account_of(l2, config), chain)
        else:
            raise AuthenticationError(self.id + " requires credentials: an Ethereum privateKey (+ walletAddress), "
                                      "options['paradexAccount'] = {'privateKey', 'address'} (StarkNet L2), "
                                      "options['paradexSubkey'], or the PARADEX_STARKNET_* environment variables")
        self._signer = signer
        return signer

    def _check_l1_credentials(self, sending: bool = False) -> str:
        """privateKey (Ethereum) and walletAddress, when both are given, must be one account: a mismatch (or an
        L2 key passed as the L1 key) would otherwise onboard a new, empty account silently. -> the address.

        A walletAddress that is not an Ethereum address at all (ccxt's request tests hand every exchange the
        placeholder 'wallet') names no account to compare: signing goes on with the key's own account, as ccxt's
        built-in does, and it is refused only where it would be sent (``sending``: the onboarding header)."""
        try:
            derived = keys.eth_address(self.privateKey)
        except Exception as e:
            raise AuthenticationError(self.id + " privateKey is not an Ethereum private key: " + str(e)) from None
        wallet = self.walletAddress
        if not wallet:
            return derived
        if not _ETH_ADDRESS.fullmatch(str(wallet)):
            if sending:
                raise AuthenticationError(self.id + " walletAddress " + repr(wallet) + " is not an Ethereum address "
                                          "(0x and 40 hex digits); the address of privateKey is " + derived)
            return derived
        if str(wallet).lower() != derived.lower():
            raise AuthenticationError(self.id + " walletAddress " + str(wallet) + " is not the address of "
                                      "privateKey (" + derived + "); for a StarkNet (L2) key use "
                                      "options['paradexAccount'] = {'privateKey', 'address'}")
        return wallet

    @property
    def is_subkey(self) -> bool:
        return bool(self.safe_dict(self.options, "paradexSubkey"))

    def onboarding(self, params: dict = {}):
        """POST /onboarding (idempotent). Needs the L1 key: the venue ties the account to the Ethereum address.
        An EVM-keyed account: POST /v2/onboarding, a SIWE message signed by its key (refused, with
        EVM_ADDRESS_ALREADY_ONBOARDED, once the account exists; logins onboard by themselves)."""
        if self.is_evm:
            headers = self._siwe_headers(siwe.ONBOARDING_STATEMENT, expires=False)
            body = {"public_key": siwe.uncompressed_public_key(self.privateKey), "__headers": headers}
            return self.privatePostV2Onboarding(self.extend(body, params))
        if self.is_subkey:  # paradex-py's SubkeyAccount has no onboarding headers: a subkey joins an onboarded account
            raise AuthenticationError(self.id + " onboarding() needs the account's own keys: a subkey cannot onboard "
                                      "(onboard the main account once, with its Ethereum key or the Paradex app)")
        signer = self.stark_signer()
        wallet = self._check_l1_credentials(sending=True) if self._has_l1_key() else self.walletAddress
        if not wallet:  # OpenAPI POST /onboarding: PARADEX-ETHEREUM-ACCOUNT is required
            raise AuthenticationError(self.id + " onboarding() requires walletAddress (the Ethereum address the "
                                      "account belongs to)")
        headers = {"PARADEX-ETHEREUM-ACCOUNT": wallet, "PARADEX-STARKNET-ACCOUNT": hex(signer.account),
                   "PARADEX-STARKNET-SIGNATURE": signer.sign_onboarding(), "PARADEX-TIMESTAMP": str(self.now_ms() // 1000)}
        return self.privatePostOnboarding(self.extend({"public_key": hex(signer.public_key), "__headers": headers}, params))

    def _jwt_fresh(self) -> bool:
        token = self.options.get("authToken")
        if token is None or token is self._jwt_refused:
            return False
        if token != self._jwt_own:
            return self._handed_in_jwt_valid(token)
        return time.time() < self._jwt_refresh_at

    def _handed_in_jwt_valid(self, token) -> bool:
        """A JWT handed in the ccxt way (options['authToken']) is used, with or without keys, until it expires:
        its ``exp`` claim when it is a JWT, else options['expires'] (ms) as ccxt's built-in reads it. A token
        with neither is trusted (the venue's 401 then triggers a fresh login when keys are configured)."""
        cached, exp = self._jwt_handed_exp
        if token is not cached:
            _, exp = _jwt_times(token) if isinstance(token, str) else (None, None)
            self._jwt_handed_exp = (token, exp)
        if exp is None:
            expires = self.safe_integer(self.options, "expires")
            return expires is None or self.milliseconds() < expires
        return time.time() < exp - JWT_HANDED_IN_MARGIN

    def authenticate_rest(self, params: dict = {}) -> Str:
        """A valid JWT: cached, or fetched once however many coroutines ask at the same time. ``params`` (POST
        /auth's query, e.g. ``{'token_usage': 'interactive'}``) are kept in options['authParams'] and sent on every
        later login too, so a refreshed token is of the same kind."""
        if params:
            self.options["authParams"] = self.extend(self.safe_dict(self.options, "authParams", {}), params)
        if self._jwt_fresh():
            return self.options["authToken"]
        with self._auth_lock:
            if not self._jwt_fresh():
                self._login(params)
        return self.options["authToken"]

    def invalidate_jwt(self, used=None):
        """The venue refused ``used`` (default: the current token): the next authenticate_rest() logs in again. A
        refusal of a token already replaced (a request that was in flight across a refresh) changes nothing. The
        token stays in options['authToken'] until the new one replaces it, so a request signed meanwhile still
        carries one (and, refused for it, comes back here) rather than failing to build its headers."""
        current = self.options.get("authToken")
        if used is not None and used != current:
            return
        self._jwt_refused = current
        self._jwt_refresh_at = 0.0

    def now_ms(self) -> int:
        """Milliseconds on the venue's clock (local clock corrected by options['timeDifference'])."""
        return self.milliseconds() - (self.safe_integer(self.options, "timeDifference", 0) or 0)

    def _login(self, params={}):
        """POST /auth (an EVM account: /v2/auth); on a clock-skew rejection resync with /system/time, on
        NOT_ONBOARDED onboard (L1 or EVM key only)."""
        evm = self.is_evm
        signer = None if evm else self.stark_signer()
        synced = onboarded = False
        while True:
            try:
                response = (self._post_evm_auth() if evm else self._post_auth(signer, params))
                break
            except InvalidNonce:
                if synced:
                    raise
                synced = True
                self.load_time_difference()
            except ExchangeError as e:
                if getattr(e, "paradex_code", None) != "NOT_ONBOARDED" or onboarded:
                    raise
                if evm:
                    onboarded = True
                    self._evm_onboarding_once()
                    continue
                if not self._has_l1_key():
                    raise AuthenticationError(self.id + " account " + hex(signer.account) + " is not onboarded: give "
                                              "ccxt_paradex its Ethereum key as privateKey (it onboards the account once "
                                              "by itself), or onboard it in the Paradex app") from None
                onboarded = True
                self.onboarding()
        token = self.safe_string(response, "jwt_token")
        if token is None:
            raise AuthenticationError(self.id + " /auth returned no jwt_token")
        now = time.time()
        iat, exp = _jwt_times(token)
        life = (exp - iat) if iat is not None and exp is not None and exp > iat else 300
        self.options["authToken"] = token
        self._jwt_own = token
        self._jwt_refresh_at = now + life * JWT_REFRESH_FRACTION
        self.options["expires"] = int((iat + life if iat is not None else now + life) * 1000)

    def _evm_onboarding_once(self):
        """POST /v2/onboarding for a login that met NOT_ONBOARDED; an account onboarded meanwhile (another process
        of the same key) is what was wanted."""
        try:
            self.onboarding()
        except ExchangeError as e:
            if getattr(e, "paradex_code", None) != "EVM_ADDRESS_ALREADY_ONBOARDED":
                raise

    def _post_evm_auth(self):
        """POST /v2/auth. The OpenAPI gives it no query: options['authParams'] (token_usage) are for /auth logins,
        a subkey's among them."""
        self.auth_requests += 1
        headers = self._siwe_headers(siwe.AUTH_STATEMENT, expires=True)
        return self.privatePostV2Auth({"__headers": headers})

    def create_trading_subkey(self, name: str = "ccxt", params: dict = {}) -> dict:
        """Register a new StarkNet subkey with an EVM-keyed account (POST /account/keys/subkeys, the account's JWT)
        -> {'privateKey', 'publicKey', 'address', 'name'}: save privateKey, and pass {'privateKey', 'address'} as
        options['paradexSubkey'] in later sessions. An EVM account has no STARK key to sign orders with; Paradex's
        SDK trades for it the same way (its create_trading_subkey). Unless ``params['use']`` is False this instance
        goes on as that subkey at once: it signs orders with it, and its next login is the subkey's
        (POST /auth/{public key})."""
        if not self.is_evm:
            raise NotSupported(self.id + " create_trading_subkey() is for EVM-keyed accounts (options['accountType'] = "
                               "'evm'); register subkeys of other accounts in the Paradex app")
        use = self.safe_bool(params, "use", True)
        params = self.omit(params, "use")
        _, account = self.evm_account()
        private_key = secrets.randbelow(curve.EC_ORDER - 1) + 1
        public_key = keys.public_key(private_key)
        self.privatePostAccountKeysSubkeys(self.extend({"name": name, "public_key": hex(public_key), "state": "active"}, params))
        subkey = {"privateKey": hex(private_key), "publicKey": hex(public_key), "address": hex(account), "name": name}
        if use:
            self.options["paradexSubkey"] = {"privateKey": subkey["privateKey"], "address": subkey["address"]}
            self._signer = None
            self.invalidate_jwt()
        return subkey

    def _post_auth(self, signer, params):
        self.auth_requests += 1
        ts = self.now_ms() // 1000
        expiration = ts + self.safe_integer(self.options, "authSignatureTtl", AUTH_SIGNATURE_TTL)
        headers = {"PARADEX-STARKNET-ACCOUNT": hex(signer.account), "PARADEX-STARKNET-SIGNATURE": signer.sign_auth(ts, expiration),
                   "PARADEX-TIMESTAMP": str(ts), "PARADEX-SIGNATURE-EXPIRATION": str(expiration)}
        request = self.extend({"__headers": headers}, self.safe_dict(self.options, "authParams", {}), params)
        if self.is_subkey:
            request["public_key"] = hex(signer.public_key)
            return self.privatePostAuthPublicKey(request)
        return self.privatePostAuth(request)
