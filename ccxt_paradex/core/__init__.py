"""Pure, I/O-free cores: signing, typed data, key derivation (and later SBE, books, parsers)."""
