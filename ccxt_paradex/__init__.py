"""ccxt_paradex: a fast, complete Paradex connector for ccxt users."""
__version__ = "0.1.0"
