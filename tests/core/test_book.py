"""core.book: snapshots, contiguous deltas, held reorders, gap detection and re-anchoring."""
import random
from decimal import Decimal

from ccxt_paradex.core.book import APPLIED, GAP, HELD, IGNORED, SCALE, L2Book, to_mantissa


class TrueBook:
    """The reference: a plain dict book and its frames, generated at random."""

    def __init__(self, rng):
        self.rng = rng
        self.bids, self.asks, self.seq = {}, {}, 0

    def step(self):
        changes_b, changes_a = [], []
        for _ in range(self.rng.randint(1, 6)):
            side, changes = (self.bids, changes_b) if self.rng.random() < 0.5 else (self.asks, changes_a)
            base = 1000 * SCALE if side is self.bids else 1001 * SCALE
            price = base + (-1 if side is self.bids else 1) * self.rng.randrange(0, 60) * SCALE // 10
            size = 0 if (price in side and self.rng.random() < 0.4) else self.rng.randrange(1, 10**9)
            if size:
                side[price] = size
            else:
                side.pop(price, None)
            changes.append((price, size))
        self.seq += 1
        return self.seq, changes_b, changes_a

    def levels(self):
        return (sorted(self.bids.items(), key=lambda kv: -kv[0]), sorted(self.asks.items()))


def test_snapshot_then_deltas_track_the_true_book():
    rng = random.Random(1)
    truth = TrueBook(rng)
    for _ in range(50):
        truth.step()
    book = L2Book()
    assert book.snapshot(truth.seq, truth.bids.items(), truth.asks.items()) == APPLIED
    for _ in range(2000):
        seq, b, a = truth.step()
        assert book.delta(seq, b, a) == APPLIED
        assert book.levels() == truth.levels()
    bids, asks = book.top(5)
    assert bids[0][0] > bids[1][0] and asks[0][0] < asks[1][0] and bids[0][0] < asks[0][0]


def test_duplicates_and_reorders_never_show_a_false_state():
    rng = random.Random(2)
    truth = TrueBook(rng)
    book = L2Book(max_pending=4)
    book.snapshot(0, [], [])
    frames, states = [], {0: truth.levels()}
    for _ in range(3000):
        frames.append(truth.step())
        states[truth.seq] = truth.levels()
    i, shown = 0, 0
    while i < len(frames):
        r = rng.random()
        if r < 0.05 and i + 1 < len(frames):  # swap two frames
            order = [frames[i + 1], frames[i]]
            i += 2
        elif r < 0.1:  # duplicate
            order = [frames[i], frames[i]]
            i += 1
        else:
            order = [frames[i]]
            i += 1
        for seq, b, a in order:
            status = book.delta(seq, b, a)
            assert status in (APPLIED, IGNORED, HELD)
            if book.synced and status == APPLIED:
                assert book.levels() == states[book.seq]
                shown += 1
    assert book.seq == frames[-1][0] and book.levels() == truth.levels() and shown > 2500


def test_a_lost_frame_is_detected_and_a_snapshot_re_anchors():
    rng = random.Random(3)
    truth = TrueBook(rng)
    book = L2Book(max_pending=3)
    book.snapshot(0, [], [])
    lost = None
    for n in range(40):
        seq, b, a = truth.step()
        if n == 10:
            lost = seq
            continue
        status = book.delta(seq, b, a)
        if seq > lost if lost else False:
            assert status in (HELD, GAP) or not book.synced
    assert not book.synced and book.gaps == 1 and book.seq == lost - 1
    # a REST snapshot taken a little in the past: held frames after it are replayed on top
    snap_seq = truth.seq - 2
    replay = TrueBook(random.Random(3))
    for _ in range(snap_seq):
        replay.step()
    tail = [truth_frame for truth_frame in (replay.step(), replay.step())]
    for seq, b, a in tail:
        book.delta(seq, b, a)
    assert book.snapshot(snap_seq, replay_bids_at(snap_seq), replay_asks_at(snap_seq)) == APPLIED
    assert book.synced and book.seq == truth.seq and book.levels() == truth.levels() and book.resyncs == 1


def _book_at(seq):
    t = TrueBook(random.Random(3))
    for _ in range(seq):
        t.step()
    return t


def replay_bids_at(seq):
    return list(_book_at(seq).bids.items())


def replay_asks_at(seq):
    return list(_book_at(seq).asks.items())


def test_snapshot_feed_drops_stale_frames():
    book = L2Book()
    assert book.snapshot(10, [(100 * SCALE, SCALE)], [(101 * SCALE, SCALE)]) == APPLIED
    assert book.snapshot(9, [(99 * SCALE, SCALE)], []) == IGNORED
    assert book.snapshot(10, [(99 * SCALE, SCALE)], []) == IGNORED
    assert book.snapshot(25, [(99 * SCALE, 2 * SCALE)], [(102 * SCALE, SCALE)]) == APPLIED
    assert book.top() == ([[99.0, 2.0]], [[102.0, 1.0]])


def test_mantissas():
    assert to_mantissa("65000.5") == 6500050000000
    assert to_mantissa("0.00000001") == 1 and to_mantissa("-1.25") == -125000000 and to_mantissa("7") == 700000000
    assert to_mantissa(".5") == 50000000


def test_levels_are_the_nearest_floats_of_the_decimals():
    rng = random.Random(9)
    bids = [(rng.randint(1, 2**53 - 1), rng.randint(1, 2**53 - 1)) for _ in range(2000)]
    book = L2Book()
    book.snapshot(1, bids, [])
    for (price, size), (pm, sm) in zip(book.top()[0], sorted(bids, reverse=True)):
        assert price == float(Decimal(pm) / SCALE) and size == float(Decimal(sm) / SCALE)


def test_flat_entry_points_match_pairs():
    rng = random.Random(4)
    truth = TrueBook(rng)
    for _ in range(30):
        truth.step()
    a, b = L2Book(), L2Book()
    flat = lambda items: [x for kv in items for x in kv]  # noqa: E731
    bids = sorted(truth.bids.items(), key=lambda kv: -kv[0])
    asks = sorted(truth.asks.items())
    assert a.snapshot(truth.seq, bids, asks) == b.snapshot_flat(truth.seq, flat(bids), flat(asks)) == APPLIED
    assert a.levels() == b.levels() == truth.levels()
    for _ in range(200):
        seq, bb, aa = truth.step()
        assert a.delta(seq, bb, aa) == b.delta_flat(seq, flat(bb), flat(aa)) == APPLIED
    assert a.levels() == b.levels() == truth.levels()
    # a snapshot carrying a zero-size level takes the filtering path and still skips it
    c = L2Book()
    c.snapshot_flat(1, [5 * SCALE, 0, 4 * SCALE, SCALE], [6 * SCALE, SCALE])
    assert c.levels() == ([(4 * SCALE, SCALE)], [(6 * SCALE, SCALE)])


def test_a_gap_asks_for_one_resync_then_retries_only_every_few_frames():
    """Out of sync, every later frame is held: the caller (which resubscribes on GAP) must not resubscribe on each."""
    book = L2Book(max_pending=8)
    book.snapshot(1, [(99 * SCALE, SCALE)], [(101 * SCALE, SCALE)])
    statuses = [book.delta(seq, [(98 * SCALE, seq)], []) for seq in range(3, 3 + 9 + 70)]  # seq 2 never comes
    gaps_at = [i for i, s in enumerate(statuses) if s == GAP]
    assert statuses[:8] == [HELD] * 8 and gaps_at == [8, 41, 74] and book.gaps == 1
    assert all(s == HELD for i, s in enumerate(statuses) if i not in gaps_at)
    assert book.snapshot(90, [(99 * SCALE, 2 * SCALE)], []) == APPLIED and book.synced
    assert book.delta(92, [], []) == HELD  # a new loss: reported at once again once the bound is passed
    assert [book.delta(s, [], []) for s in range(93, 101)] == [HELD] * 7 + [GAP] and book.gaps == 2


def _flat(pairs):
    return tuple(x for pair in pairs for x in pair)


def test_a_clean_flat_snapshot_is_read_without_dicts_and_matches_the_dict_book():
    """snapshot_flat keeps a best-first snapshot as its tuples (top reads them, the dicts are built on the first
    delta): the same top, levels and delta results as the dict book, for clean and for disordered snapshots."""
    rng = random.Random(11)
    for trial in range(300):
        n_b, n_a = rng.randrange(0, 16), rng.randrange(0, 16)
        bid_prices = rng.sample(range(900, 1000), n_b)
        ask_prices = rng.sample(range(1001, 1100), n_a)
        shape = trial % 4  # 0, 1: clean (best first); 2: one side disordered; 3: a repeated price
        bid_prices.sort(reverse=True)
        ask_prices.sort()
        if shape == 2 and n_b > 1:
            bid_prices.reverse()
        if shape == 3 and n_a > 1:
            ask_prices[1] = ask_prices[0]
        bids = [(p * SCALE, rng.randrange(1, 50) * SCALE // 10) for p in bid_prices]
        asks = [(p * SCALE, rng.randrange(1, 50) * SCALE // 10) for p in ask_prices]
        flat, ref = L2Book(), L2Book()
        assert flat.snapshot_flat(7, _flat(bids), _flat(asks), 1) == APPLIED
        assert ref.snapshot(7, bids, asks, 1) == APPLIED
        clean = shape < 2 or (shape == 2 and n_b <= 1) or (shape == 3 and n_a <= 1)
        assert (flat._flat is not None) == clean
        for limit in (None, 1, 5, 15, 40):
            assert flat.top(limit) == ref.top(limit)
        for seq in range(8, 12):  # deltas: inserts, changes, deletes on both sides
            db = [(rng.randrange(900, 1000) * SCALE, rng.choice([0, 3 * SCALE])) for _ in range(3)]
            da = [(rng.randrange(1001, 1100) * SCALE, rng.choice([0, 4 * SCALE])) for _ in range(3)]
            assert flat.delta_flat(seq, _flat(db), _flat(da), seq) == ref.delta_flat(seq, _flat(db), _flat(da), seq)
            assert flat._flat is None and flat.top(10) == ref.top(10) and flat.levels() == ref.levels()


def test_a_flat_snapshot_replays_held_deltas_and_reads_levels():
    book = L2Book(8)
    assert book.delta_flat(12, (99 * SCALE, 0), (), 12) == HELD  # early: held until a snapshot anchors the book
    assert book.snapshot_flat(11, (100 * SCALE, SCALE, 99 * SCALE, 2 * SCALE), (101 * SCALE, SCALE), 11) == APPLIED
    assert book.seq == 12 and book.levels() == ([(100 * SCALE, SCALE)], [(101 * SCALE, SCALE)])
    assert book.snapshot_flat(13, (100 * SCALE, 3 * SCALE), (101 * SCALE, SCALE, 102 * SCALE, SCALE), 13) == APPLIED
    assert book._flat is not None and book.levels() == ([(100 * SCALE, 3 * SCALE)],
                                                       [(101 * SCALE, SCALE), (102 * SCALE, SCALE)])
    assert book.top() == ([[100.0, 3.0]], [[101.0, 1.0], [102.0, 1.0]])


def test_a_snapshot_is_kept_flat_exactly_when_each_side_is_strictly_best_first():
    """snapshot_flat keeps a snapshot flat (no dicts built) only when its prices are strictly best first on both
    sides, as SBE sends them; checked against the definition: the prices sorted best first with no repeat are
    the prices as given."""
    import random

    from ccxt_paradex.core.book import L2Book

    def definition(prices, descending):
        ordered = sorted(set(prices), reverse=descending)
        return len(ordered) == len(prices) and ordered == list(prices)

    def flat(prices):
        return tuple(v for p in prices for v in (p, 1))
    rng = random.Random(7)
    seen = set()
    for _ in range(5000):
        prices = tuple(rng.randrange(4) for _ in range(rng.randrange(6)))
        for descending in (True, False):
            book = L2Book()
            bids, asks = (prices, (10,)) if descending else ((-1,), prices)
            book.snapshot_flat(1, flat(bids), flat(asks))
            got = book._flat is not None
            assert got == definition(prices, descending), (prices, descending)
            seen.add(got)
    assert seen == {True, False}
