"""Sign-In with Ethereum (ERC-4361) messages and their EIP-191 ``personal_sign`` signatures, for Paradex's
EVM-keyed accounts (``POST /v2/auth``, ``POST /v2/onboarding``). Pure functions: no clock, no randomness
unless asked (``new_nonce``), no network.

The message Paradex's SDK signs (lines joined with ``\\n``, no trailing newline)::

    {domain} wants you to sign in with your Ethereum account:
    {EIP-55 address}

    {statement: "Paradex Auth" | "Paradex Onboarding"}

    URI: https://{domain}
    Version: 1
    Chain ID: {l1_chain_id}
    Nonce: {alphanumeric, >= 8}
    Issued At: {UTC, %Y-%m-%dT%H:%M:%SZ}
    Expiration Time: {idem; the login message only}

It travels base64-encoded in ``PARADEX-SIWE-MESSAGE``; its signature (65 bytes r || s || v, v = 27 | 28, as
``0x`` hex) in ``PARADEX-EVM-SIGNATURE``. Error messages never contain key material.
"""
import base64
import calendar
import re
import secrets
import time
from typing import Optional

from . import keys

AUTH_STATEMENT = "Paradex Auth"
ONBOARDING_STATEMENT = "Paradex Onboarding"
#: the app domain a login is for, per Paradex environment (the SDK's table)
DOMAINS = {"prod": "app.paradex.trade", "testnet": "app.testnet.paradex.trade", "nightly": "app.nightly.paradex.trade"}
_HEADER = " wants you to sign in with your Ethereum account:"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}\Z")
_NONCE = re.compile(r"[A-Za-z0-9]{8,}\Z")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")
_API_HOST = re.compile(r"api\.([a-z0-9-]+)\.paradex\.trade\Z")
#: the fields after the statement, in ERC-4361's order (required ones first)
_FIELDS = (("URI", "uri"), ("Version", "version"), ("Chain ID", "chain_id"), ("Nonce", "nonce"),
           ("Issued At", "issued_at"), ("Expiration Time", "expiration_time"), ("Not Before", "not_before"),
           ("Request ID", "request_id"))
_REQUIRED = ("uri", "version", "chain_id", "nonce", "issued_at")


def format_time(seconds: int) -> str:
    return time.strftime(_TIME_FORMAT, time.gmtime(int(seconds)))


def parse_time(text: str) -> int:
    """An ERC-4361 (RFC 3339) timestamp -> unix seconds (fractions dropped)."""
    match = _TIME.match(text)
    if match is None:
        raise ValueError(f"not an RFC 3339 time: {text!r}")
    stamp = calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))
    zone = match.group(2)
    if zone != "Z":
        offset = int(zone[1:3]) * 3600 + int(zone[4:6]) * 60
        stamp -= offset if zone[0] == "+" else -offset
    return stamp


def new_nonce() -> str:
    return secrets.token_hex(16)


def domain_for(api_host: str, l1_chain_id) -> str:
    """The SIWE domain for an API host: ``api.{env}.paradex.trade`` -> the app of that environment; any other
    host (a proxy, the simulator) -> mainnet's app for L1 chain 1, the testnet app otherwise."""
    match = _API_HOST.match((api_host or "").lower())
    if match:
        env = match.group(1)
        return DOMAINS["prod"] if env == "prod" else DOMAINS.get(env, f"app.{env}.paradex.trade")
    return DOMAINS["prod"] if str(l1_chain_id) == "1" else DOMAINS["testnet"]


def build_message(domain: str, address: str, statement: str, chain_id, nonce: str, issued_at: int,
                  expiration: Optional[int] = None) -> str:
    """The SIWE text. ``address`` as given (Paradex wants the EIP-55 form); times in unix seconds."""
    lines = [domain + _HEADER, address, "", statement, "", "URI: https://" + domain, "Version: 1",
             f"Chain ID: {int(chain_id)}", "Nonce: " + nonce, "Issued At: " + format_time(issued_at)]
    if expiration is not None:
        lines.append("Expiration Time: " + format_time(expiration))
    return "\n".join(lines)


def parse_message(text: str) -> dict:
    """ERC-4361 text -> {domain, address, statement, uri, version, chain_id (int), nonce, issued_at (s),
    expiration_time (s | None), not_before (s | None), request_id}. ``ValueError`` on anything malformed."""
    if not isinstance(text, str):
        raise ValueError("the message is not text")
    lines = text.split("\n")
    if len(lines) < 8 or not lines[0].endswith(_HEADER):
        raise ValueError("not a SIWE message (first line)")
    domain = lines[0][:-len(_HEADER)]
    if not domain or " " in domain:
        raise ValueError("invalid domain")
    address = lines[1]
    if not _ADDRESS.match(address):
        raise ValueError("invalid address line")
    if lines[2] != "":
        raise ValueError("a blank line must follow the address")
    rest = lines[3:]
    statement = None
    if rest and rest[0] != "" and not rest[0].startswith("URI: "):
        statement = rest[0]
        rest = rest[1:]
    if not rest or rest[0] != "":
        raise ValueError("a blank line must precede the fields")
    fields: dict = {}
    position = 0
    for line in rest[1:]:
        name, sep, value = line.partition(": ")
        index = next((i for i, (label, _) in enumerate(_FIELDS) if label == name), None)
        if not sep or index is None:
            raise ValueError(f"unexpected line {line!r}")
        if index < position:
            raise ValueError(f"field {name!r} out of order or repeated")
        position = index + 1
        fields[_FIELDS[index][1]] = value
    missing = [k for k in _REQUIRED if k not in fields]
    if missing:
        raise ValueError("missing " + ", ".join(missing))
    if fields["version"] != "1":
        raise ValueError("Version must be 1")
    if not re.fullmatch(r"[0-9]+", fields["chain_id"]):
        raise ValueError("invalid Chain ID")
    if not _NONCE.match(fields["nonce"]):
        raise ValueError("Nonce must be at least 8 alphanumeric characters")
    out: dict = {"domain": domain, "address": address, "statement": statement, "uri": fields["uri"], "version": "1",
                 "chain_id": int(fields["chain_id"]), "nonce": fields["nonce"], "request_id": fields.get("request_id")}
    for key in ("issued_at", "expiration_time", "not_before"):
        out[key] = parse_time(fields[key]) if key in fields else None
    return out


# ---- EIP-191 personal_sign ----------------------------------------------------------------------------
def personal_hash(message: str) -> bytes:
    """keccak256("\\x19Ethereum Signed Message:\\n" + len(message) + message), over the UTF-8 bytes."""
    from eth_hash.auto import keccak

    data = message.encode("utf-8")
    return keccak(b"\x19Ethereum Signed Message:\n" + str(len(data)).encode() + data)


def _private_key(eth_private_key):
    from eth_keys import keys as eth_keys

    return eth_keys.PrivateKey(keys.parse_eth_private_key(eth_private_key).to_bytes(32, "big"))


def sign(message: str, eth_private_key) -> str:
    """personal_sign: ``0x`` + r || s || v (v = 27 | 28), deterministic (RFC 6979), as eth-account signs."""
    signature = _private_key(eth_private_key).sign_msg_hash(personal_hash(message))
    return "0x" + (signature.r.to_bytes(32, "big") + signature.s.to_bytes(32, "big") + bytes([27 + signature.v])).hex()


def recover(message: str, signature: str) -> str:
    """The EIP-55 address that made ``signature`` over ``message``; ``ValueError`` when it is malformed."""
    from eth_keys import keys as eth_keys
    from eth_keys.exceptions import BadSignature, ValidationError

    raw = str(signature)
    raw = raw[2:] if raw[:2].lower() == "0x" else raw
    try:
        data = bytes.fromhex(raw)
    except ValueError:
        raise ValueError("the signature is not hex") from None
    if len(data) != 65:
        raise ValueError("the signature must be 65 bytes")
    v = data[64] - 27 if data[64] >= 27 else data[64]
    try:
        sig = eth_keys.Signature(vrs=(v, int.from_bytes(data[:32], "big"), int.from_bytes(data[32:64], "big")))
        return sig.recover_public_key_from_msg_hash(personal_hash(message)).to_checksum_address()
    except (BadSignature, ValidationError) as e:
        raise ValueError("invalid signature: " + str(e)) from None


def uncompressed_public_key(eth_private_key) -> str:
    """``0x04`` + x || y (the public key ``POST /v2/onboarding`` carries)."""
    return "0x04" + _private_key(eth_private_key).public_key.to_bytes().hex()


def address_of_public_key(public_key: str) -> str:
    """The EIP-55 address of a ``0x04...`` uncompressed secp256k1 public key; ``ValueError`` when malformed."""
    from eth_keys import keys as eth_keys
    from eth_keys.exceptions import ValidationError

    raw = str(public_key)
    raw = raw[2:] if raw[:2].lower() == "0x" else raw
    try:
        data = bytes.fromhex(raw)
    except ValueError:
        raise ValueError("the public key is not hex") from None
    if len(data) != 65 or data[0] != 4:
        raise ValueError("the public key must be 0x04 followed by 64 bytes")
    try:
        return eth_keys.PublicKey(data[1:]).to_checksum_address()
    except ValidationError as e:
        raise ValueError("invalid public key: " + str(e)) from None


def encode_header(message: str) -> str:
    return base64.b64encode(message.encode("utf-8")).decode("ascii")


def decode_header(value: str) -> str:
    try:
        return base64.b64decode(str(value).encode("ascii"), validate=True).decode("utf-8")
    except (ValueError, UnicodeError):
        raise ValueError("PARADEX-SIWE-MESSAGE is not base64 of UTF-8 text") from None

