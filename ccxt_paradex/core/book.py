"""A sequence-aware L2 order book for one market (pure; no I/O).

Levels are keyed by integer mantissas (price and size scaled by 1e8, as SBE
sends them), so there is no float rounding in keys and no Decimal on the hot
path. Each side keeps a dict price -> size plus a sorted key list that only
changes when a level appears or disappears; size updates touch the dict alone.
A snapshot that arrives clean (best first, strictly ordered, no empty level; as
SBE snapshots do) is kept as its two flat tuples instead: ``top`` reads them
directly, and the dicts are built only when a delta or ``levels`` needs them.

Feeds:
- ``snapshot`` (``order_book.M.snapshot@15@50ms``): every frame replaces the
  book; a frame whose seq_no is not newer than the book's is dropped (dup or
  reordered).
- ``deltas`` (``order_book.M.deltas``): frames must be contiguous (seq_no + 1).
  An early frame is held back (a reorder of a few frames heals by itself); more
  than ``max_pending`` held frames means a lost frame: the book marks itself
  out of sync and must be re-anchored by a snapshot (from the feed or REST),
  after which held frames newer than the snapshot are replayed.
A consumer only publishes the book while ``synced`` is true, so it never shows
a state the venue did not have.
"""
from bisect import bisect_left, insort
from operator import gt

SCALE = 100_000_000
_FSCALE = 1e8  # int / float: the int converts exactly (mantissas < 2**53), so the quotient is int / SCALE's, faster
APPLIED, IGNORED, HELD, GAP = "applied", "ignored", "held", "gap"


class L2Book:
    __slots__ = ("bids", "asks", "_bid_keys", "_ask_keys", "seq", "timestamp", "synced", "pending", "max_pending", "_held_since_gap",
                 "gaps", "resyncs", "_flat")

    def __init__(self, max_pending: int = 8):
        self.max_pending = max_pending
        self.gaps = 0        # lost frames detected
        self.resyncs = 0     # snapshots that re-anchored an out-of-sync book
        self.reset()

    def reset(self):
        self._flat = None  # (bids, asks) flat, best first: the whole book, the dicts and key lists stale until built
        self.bids, self.asks = {}, {}
        self._bid_keys, self._ask_keys = [], []  # bids stored negated: ascending order = best first
        self.seq = None
        self.timestamp = None
        self.synced = False
        self.pending = {}
        self._held_since_gap = None  # frames held since the last GAP was reported (None: report the next one)

    # ---- feeds ------------------------------------------------------------------------------------
    def snapshot(self, seq, bids, asks, timestamp=None) -> str:
        """Replace the book with (price, size) mantissa pairs; size 0 levels are skipped."""
        if self.synced and self.seq is not None and seq is not None and seq <= self.seq:
            return IGNORED
        self._flat = None
        self.bids = {p: s for p, s in bids if s}
        self.asks = {p: s for p, s in asks if s}
        return self._anchored(seq, timestamp)

    def snapshot_flat(self, seq, bids, asks, timestamp=None) -> str:
        """``snapshot`` for flat (price, size, price, size, ...) sequences, as SBE groups decode."""
        if self.synced and self.seq is not None and seq is not None and seq <= self.seq:
            return IGNORED
        bs, as_ = bids[1::2], asks[1::2]
        if 0 in bs or 0 in as_:
            return self.snapshot(seq, zip(bids[::2], bs), zip(asks[::2], as_), timestamp)
        bp, ap = bids[::2], asks[::2]
        # strictly best first on both sides (each price strictly worse than the one before: a snapshot as SBE
        # sends it), one C pass of pairwise compares per side
        if all(map(gt, bp, bp[1:])) and all(map(gt, ap[1:], ap)):
            self._flat = (bids, asks)
            if self.synced and not self.pending:  # all _anchored does for a book in sync with nothing held
                self.seq, self.timestamp = seq, timestamp
                return APPLIED
            return self._anchored(seq, timestamp)
        self._flat = None
        self.bids = dict(zip(bp, bs))
        self.asks = dict(zip(ap, as_))
        return self._anchored(seq, timestamp)

    def _built(self):
        """Build the dicts and key lists of a book held flat (before a delta changes it, or ``levels``)."""
        bids, asks = self._flat
        self._flat = None
        self.bids = dict(_pairs(bids))
        self.asks = dict(_pairs(asks))
        self._bid_keys = [-p for p in bids[::2]]
        self._ask_keys = list(asks[::2])

    def delta_flat(self, seq, bids, asks, timestamp=None) -> str:
        """``delta`` for flat sequences; the next frame in order is applied straight from them."""
        if self.synced and not self.pending and self.seq is not None and seq == self.seq + 1:
            if self._flat is not None:
                self._built()
            self._apply(_pairs(bids), _pairs(asks))
            self.seq, self.timestamp = seq, timestamp
            return APPLIED
        return self.delta(seq, list(_pairs(bids)), list(_pairs(asks)), timestamp)

    def _anchored(self, seq, timestamp):
        if not self.synced and self.seq is not None:
            self.resyncs += 1
        if self._flat is None:
            self._bid_keys = _ascending([-p for p in self.bids])
            self._ask_keys = _ascending(list(self.asks))
        self.seq, self.timestamp, self.synced = seq, timestamp, True
        if self.pending:
            held, self.pending = self.pending, {}
            for s in sorted(k for k in held if seq is None or k > seq):
                if self.delta(s, *held[s]) == GAP:
                    break
        return APPLIED

    def delta(self, seq, bids, asks, timestamp=None) -> str:
        """Apply one contiguous delta frame; size 0 deletes a level."""
        if self.seq is not None and seq <= self.seq:
            return IGNORED
        if not self.synced or seq != self.seq + 1:
            self.pending[seq] = (bids, asks, timestamp)
            if len(self.pending) > self.max_pending:  # (held frames only: the book itself is not touched)
                if self.synced:
                    self.gaps += 1
                    self._held_since_gap = None
                self.synced = False
                self._trim_pending()
                return self._gap_or_held()
            return HELD
        self._apply(bids, asks)
        self.seq, self.timestamp = seq, timestamp
        if self.pending:
            self._drain()
        return APPLIED

    def _gap_or_held(self):
        """GAP (the caller resyncs) once when the book falls out of sync, then again only every
        4 x max_pending held frames should no snapshot have come: not one resubscribe per frame."""
        if self._held_since_gap is None or self._held_since_gap >= 4 * self.max_pending:
            self._held_since_gap = 0
            return GAP
        self._held_since_gap += 1
        return HELD

    def mark_out_of_sync(self):
        """The caller may have lost frames another way (a reconnect): wait for the next snapshot."""
        self.synced = False
        self._held_since_gap = None

    def _drain(self):
        pending = self.pending
        nxt = self.seq + 1
        while nxt in pending:
            bids, asks, ts = pending.pop(nxt)
            self._apply(bids, asks)
            self.seq, self.timestamp = nxt, ts
            nxt += 1

    def _trim_pending(self):
        """Bound memory while waiting for a snapshot: keep the newest frames only."""
        if len(self.pending) > 4 * self.max_pending:
            keep = sorted(self.pending)[-4 * self.max_pending:]
            self.pending = {s: self.pending[s] for s in keep}

    def _apply(self, bids, asks):
        if self._flat is not None:
            self._built()
        book, keys = self.bids, self._bid_keys
        for p, s in bids:
            if s:
                if p not in book:
                    insort(keys, -p)
                book[p] = s
            elif p in book:
                del book[p]
                del keys[bisect_left(keys, -p)]
        book, keys = self.asks, self._ask_keys
        for p, s in asks:
            if s:
                if p not in book:
                    insort(keys, p)
                book[p] = s
            elif p in book:
                del book[p]
                del keys[bisect_left(keys, p)]

    # ---- reading ------------------------------------------------------------------------------------
    def top(self, limit=None):
        """-> (bids, asks) as ccxt levels [[price, size], ...] in floats, best first."""
        flat = self._flat
        if flat is not None:
            bids, asks = flat
            if limit is not None:
                bids, asks = bids[:2 * limit], asks[:2 * limit]
            it, ia = iter(bids), iter(asks)
            return ([[p / _FSCALE, s / _FSCALE] for p, s in zip(it, it)],
                    [[p / _FSCALE, s / _FSCALE] for p, s in zip(ia, ia)])
        bk = self._bid_keys if limit is None else self._bid_keys[:limit]
        ak = self._ask_keys if limit is None else self._ask_keys[:limit]
        b, a = self.bids, self.asks
        return ([[-k / _FSCALE, b[-k] / _FSCALE] for k in bk], [[k / _FSCALE, a[k] / _FSCALE] for k in ak])

    def levels(self):
        """(bids, asks) as sorted mantissa pairs: for comparisons in tests and resync checks."""
        if self._flat is not None:
            self._built()
        return ([(-k, self.bids[-k]) for k in self._bid_keys], [(k, self.asks[k]) for k in self._ask_keys])


def _pairs(flat):
    """(p0, s0, p1, s1, ...) -> (p0, s0), (p1, s1), ... without slicing copies."""
    it = iter(flat)
    return zip(it, it)


def _ascending(keys):
    """Snapshots arrive best-first, so the keys are usually sorted already: timsort then costs one C pass."""
    keys.sort()
    return keys


def to_mantissa(text) -> int:
    """Exact decimal string (JSON feeds) -> 1e8 mantissa, without Decimal."""
    text = str(text)
    neg = text.startswith("-")
    if neg:
        text = text[1:]
    whole, _, frac = text.partition(".")
    value = int(whole or "0") * SCALE + int((frac + "00000000")[:8] or "0")
    return -value if neg else value
