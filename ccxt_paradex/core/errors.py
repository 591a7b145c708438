"""Paradex error codes (``{error, message, data}`` bodies, HTTP statuses) -> ccxt exceptions.

Pure: the exchange classes call ``exception_for`` from ``handle_errors`` and the
WebSocket trading path calls ``ws_exception_for`` for JSON-RPC error objects.
Where ccxt's built-in mapping is wrong for a trader (e.g. ``ORDER_ID_NOT_FOUND`` as
InvalidOrder, ``VALIDATION_ERROR`` as AuthenticationError), we pick the class a
ccxt user's ``except`` clause expects; tests list every deliberate difference.
"""
from ccxt.base import errors as E

EXACT = {
    # requests and validation
    "VALIDATION_ERROR": E.BadRequest,
    "BINDING_ERROR": E.BadRequest,
    "INVALID_REQUEST_PARAMETER": E.BadRequest,
    "NOT_FOUND": E.BadRequest,
    "BATCH_SIZE_OUT_OF_RANGE": E.BadRequest,
    "REQUEST_NOT_ALLOWED": E.PermissionDenied,
    "MARKET_NOT_FOUND": E.BadSymbol,
    "INVALID_SYMBOL": E.BadSymbol,
    "MARKET_NOT_OPEN": E.BadSymbol,
    "MARKET_NOT_SETTLED": E.BadRequest,
    "NO_ACCESS_TO_MARKET": E.PermissionDenied,
    "MARKET_MARGIN_RESTRICTED": E.PermissionDenied,
    "ISOLATED_MARKET_ACCOUNT_MISMATCH": E.BadRequest,
    # orders
    "ORDER_ID_NOT_FOUND": E.OrderNotFound,
    "CLIENT_ORDER_ID_NOT_FOUND": E.OrderNotFound,
    "ALGO_ID_NOT_FOUND": E.OrderNotFound,
    "ORDER_IS_CLOSED": E.OrderNotFound,
    "ORDER_IS_NOT_OPEN": E.InvalidOrder,
    "ORDER_IS_NOT_OPEN_YET": E.InvalidOrder,
    "INVALID_ORDER_SIZE": E.InvalidOrder,
    "INVALID_PRICE_PRECISION": E.InvalidOrder,
    "DUPLICATED_CLIENT_ID": E.DuplicateOrderId,
    "NOT_ENOUGH_MARGIN": E.InsufficientFunds,
    "RPI_ACCOUNT_NOT_WHITELISTED": E.PermissionDenied,
    "SYSTEM_STATUS_POST_ONLY": E.OnMaintenance,
    "SYSTEM_STATUS_CANCEL_ONLY": E.OnMaintenance,
    # signatures, accounts, auth
    "INVALID_ORDER_SIGNATURE": E.AuthenticationError,
    "STARKNET_SIGNATURE_VERIFICATION_FAILED": E.AuthenticationError,
    "INVALID_STARKNET_SIGNATURE": E.AuthenticationError,
    "INVALID_STARKNET_ADDRESS": E.AuthenticationError,
    "INVALID_ETHEREUM_ADDRESS": E.AuthenticationError,
    "INVALID_ETHEREUM_SIGNATURE": E.AuthenticationError,
    "ETHEREUM_SIGNER_MISMATCH": E.AuthenticationError,
    "ETHEREUM_HASH_MISMATCH": E.AuthenticationError,
    "INVALID_EVM_SIGNATURE": E.AuthenticationError,
    "EVM_SIGNATURE_VERIFICATION_FAILED": E.AuthenticationError,
    "BAD_STARKNET_REQUEST": E.AuthenticationError,
    "PUBLIC_KEY_INVALID": E.AuthenticationError,
    "INVALID_SUBKEY": E.AuthenticationError,
    "SUBKEY_NOT_ACTIVATABLE": E.PermissionDenied,
    "INVALID_TOKEN": E.AuthenticationError,
    "INVALID_TOKEN_SCOPE": E.PermissionDenied,
    "UNAUTHORIZED_ERROR": E.AuthenticationError,
    "UNAUTHORIZED_ETHEREUM_ADDRESS": E.PermissionDenied,
    "ACCOUNT_NOT_FOUND": E.AuthenticationError,
    "NOT_ONBOARDED": E.AccountNotEnabled,
    "INVALID_TIMESTAMP": E.InvalidNonce,
    "INVALID_SIGNATURE_EXPIRATION": E.InvalidNonce,
    "INVALID_BLOCK_EXPIRATION": E.InvalidNonce,
    "GEO_IP_BLOCK": E.PermissionDenied,
    "ETHEREUM_ADDRESS_BLOCKED": E.AccountSuspended,
    "IP_NOT_ALLOWED": E.PermissionDenied,
    "ETHEREUM_ADDRESS_ALREADY_ONBOARDED": E.BadRequest,
    "SUBACCOUNTS_LIMIT_EXCEEDED": E.OperationRejected,
    "TOKEN_LIMIT_REACHED": E.OperationRejected,
    # profile, referrals, tokens, transfers
    "USERNAME_IN_USE": E.BadRequest,  # ccxt's built-in: AuthenticationError (the credentials are fine)
    "SOCIAL_USERNAME_IN_USE": E.BadRequest,
    "NOT_UNIQUE": E.BadRequest,
    "INVALID_REFERRAL_CODE": E.OperationRejected,
    "ACCOUNT_ALREADY_REFERRED": E.OperationRejected,
    "ONBOARDING_PERIOD_EXPIRED": E.OperationRejected,
    "INVALID_MARKETING_CODE": E.BadRequest,
    "PROGRAM_NOT_FOUND": E.BadRequest,
    "PROGRAM_NOT_SUPPORTED": E.OperationRejected,
    "POINTS_SUMMARY_NOT_FOUND": E.OperationRejected,
    "PROFILE_STATS_NOT_FOUND": E.BadRequest,
    "MEDIA_NOT_FOUND": E.BadRequest,
    "INVALID_DASHBOARD": E.OperationRejected,
    "INVALID_OAUTH_REQUEST": E.BadRequest,
    "ALLOWLIST_ENTRY_NOT_FOUND": E.BadRequest,
    "TRANSFER_LIMIT_REACHED": E.OperationRejected,
    "XP_TRANSFERS_DISABLED": E.PermissionDenied,
    "INSUFFICIENT_TRANSFERRABLE_XP": E.InsufficientFunds,
    "INSUFFICIENT_EVM_BALANCE": E.InsufficientFunds,
    "INSUFFICIENT_MIN_CHAIN_BALANCE": E.InsufficientFunds,
    "INVALID_CHAIN": E.BadRequest,
    "INVALID_LAYERSWAP_SWAP": E.BadRequest,
    # onboarding variants: EVM accounts, subaccounts, portfolio margin
    "EVM_ADDRESS_ALREADY_ONBOARDED": E.BadRequest,
    "PARENT_ADDRESS_ALREADY_ONBOARDED": E.BadRequest,
    "INVALID_PARENT_ACCOUNT": E.OperationRejected,
    "INVALID_DERIVATION_PATH": E.BadRequest,
    "PORTFOLIO_MARGIN_ONBOARDING_DISABLED": E.PermissionDenied,
    "PORTFOLIO_MARGIN_INVALID_ACCOUNT_KIND": E.BadRequest,
    "PORTFOLIO_MARGIN_CONFIG_NOT_FOUND": E.BadRequest,
    # vaults
    "VAULT_NOT_FOUND": E.BadRequest,
    "VAULT_STRATEGY_NOT_FOUND": E.BadRequest,
    "VAULT_NAME_IN_USE": E.OperationRejected,
    "VAULT_LIMIT_REACHED": E.OperationRejected,
    "VAULT_DATA_PRIVATE": E.PermissionDenied,
    "VAULT_OPERATOR_ALREADY_ONBOARDED": E.OperationRejected,
    "INVALID_VAULT_OPERATOR_CHAIN": E.OperationRejected,
    "EVM_VAULT_OPERATORS_DISABLED": E.PermissionDenied,
    # block trades and their offers
    "BLOCK_TRADE_NOT_ENABLED": E.PermissionDenied,
    "BLOCK_TRADE_NOT_FOUND": E.BadRequest,
    "BLOCK_TRADE_UNAUTHORIZED": E.PermissionDenied,
    "BLOCK_TRADE_SIGNER_KEY_UNAUTHORIZED": E.PermissionDenied,
    "BLOCK_TRADE_INVALID_SIGNATURE": E.AuthenticationError,
    "BLOCK_TRADE_REPLAYED_SIGNATURE": E.InvalidNonce,
    "BLOCK_TRADE_EXPIRED": E.OperationRejected,
    "BLOCK_TRADE_ALREADY_CANCELLED": E.OperationRejected,
    "BLOCK_TRADE_INVALID_STATUS": E.OperationRejected,
    "BLOCK_TRADE_MISSING_TRADES": E.BadRequest,
    "BLOCK_TRADE_MISSING_SIGNERS": E.BadRequest,
    "BLOCK_TRADE_MISSING_SIGNATURE": E.BadRequest,
    "BLOCK_TRADE_ACCOUNT_MISMATCH": E.BadRequest,
    "OFFER_NOT_FOUND": E.BadRequest,
    "OFFER_UNAUTHORIZED": E.PermissionDenied,
    "OFFER_ALREADY_CANCELLED": E.OperationRejected,
    "OFFER_INVALID_STATUS": E.OperationRejected,
    "OFFER_PARENT_MISMATCH": E.BadRequest,
    "OFFER_PARENT_NOT_ACCEPTING": E.OperationRejected,
    # infrastructure
    "RATE_LIMIT_EXCEEDED": E.RateLimitExceeded,
    "ONBOARDING_RATE_LIMITED": E.RateLimitExceeded,
    "INTERNAL_ERROR": E.ExchangeError,
    "SERVICE_UNAVAILABLE": E.ExchangeNotAvailable,
}

BROAD = {
    "token is expired": E.AuthenticationError,
    "invalid bearer jwt": E.AuthenticationError,
    "malformed jwt": E.AuthenticationError,
    "Rate limit exceeded": E.RateLimitExceeded,
}

BY_STATUS = {400: E.BadRequest, 401: E.AuthenticationError, 403: E.PermissionDenied, 404: E.BadRequest,
             408: E.RequestTimeout, 429: E.RateLimitExceeded, 500: E.ExchangeError, 502: E.ExchangeNotAvailable,
             503: E.ExchangeNotAvailable, 504: E.RequestTimeout}

def _for_orders(exc, order_endpoint):
    """The order endpoints answer every business rejection with 400; a ccxt user expects InvalidOrder there."""
    return E.InvalidOrder if order_endpoint and exc is E.BadRequest else exc


# JSON-RPC error codes (WebSocket)
WS_CODES = {-32700: E.BadRequest, -32600: E.BadRequest, -32601: E.NotSupported, -32602: E.BadRequest,
            -32603: E.ExchangeError, 100: E.ExchangeError, 40110: E.AuthenticationError,
            40111: E.AuthenticationError, 40112: E.PermissionDenied, 40300: E.AuthenticationError,
            42901: E.RateLimitExceeded}


def exception_for(status: int, body, order_endpoint: bool = False):
    """The ccxt exception class for an HTTP answer, or None when it is a success."""
    code = body.get("error") if isinstance(body, dict) else None
    if status < 400 and code is None:
        return None
    exc = EXACT.get(code) if isinstance(code, str) else None
    if exc is None:
        message = str(body.get("message", "")) if isinstance(body, dict) else ""
        exc = next((cls for text, cls in BROAD.items() if text in message), None)
    if exc is None:
        exc = BY_STATUS.get(status) or (E.ExchangeNotAvailable if status >= 500 else E.ExchangeError)
    return _for_orders(exc, order_endpoint)


def is_order_lookup_miss(url: str, status: int, body) -> bool:
    """A generic NOT_FOUND / 404 from an endpoint that names one order (``/orders/{id}``,
    ``/orders/by_client_id/{id}``): the order is not there, so ``OrderNotFound`` (the spec lists both
    ``ORDER_ID_NOT_FOUND`` and the generic ``NOT_FOUND``, and does not say which a closed order gets)."""
    path = url.split("?", 1)[0]
    if "/orders/" not in path or path.endswith(("/orders/batch",)):
        return False
    code = body.get("error") if isinstance(body, dict) else None
    return code == "NOT_FOUND" or (status == 404 and code is None)


WS_TOKEN_REFUSED = frozenset({40110, 40111, 40300})  # malformed / invalid or expired / missing bearer token
WS_BINDING = frozenset({-32600, -32602})              # the request's shape was refused: nothing was done


def ws_exception(error: dict, order_method: bool, message: str):
    """The ccxt exception for a JSON-RPC ``error``, tagged with its ``ws_code`` and Paradex ``paradex_code``."""
    exc = ws_exception_for(error, order_method)(message)
    data = error.get("data")
    exc.ws_code = error.get("code")
    exc.paradex_code = data.get("error") if isinstance(data, dict) else data if isinstance(data, str) else None
    return exc


def ws_exception_for(error: dict, order_method: bool = False):
    """The ccxt exception class for a JSON-RPC ``error`` object (Paradex codes nested in ``data`` win)."""
    data = error.get("data")
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return exception_for(400, data, order_method)
    if isinstance(data, str) and data in EXACT:
        return exception_for(400, {"error": data}, order_method)
    code = error.get("code")
    return _for_orders(WS_CODES.get(code, E.ExchangeError) if isinstance(code, int) else E.ExchangeError, order_method)


def is_jwt_expired(status: int, body) -> bool:
    """A 401 whose JWT is expired or no longer valid: re-authenticate once and retry."""
    if status != 401:
        return False
    message = str(body.get("message", "")) if isinstance(body, dict) else str(body or "")
    return "expired" in message or "invalid bearer jwt" in message
