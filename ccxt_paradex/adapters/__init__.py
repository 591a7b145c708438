"""Exchange-aware adapters: ccxt's arguments and helpers over Paradex's data, shared by the REST and WebSocket
classes. No I/O, but unlike ``core/`` they work through the exchange object (its markets, options, precision and
``safe_*`` helpers): ``parse.py`` (Paradex JSON -> ccxt structures, a mixin) and ``orders.py`` (ccxt order
arguments -> Paradex order requests)."""
