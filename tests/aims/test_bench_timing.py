"""How `make bench` times a page against its baseline (aims.bench)."""

from aims.bench import timed_together


def test_a_page_and_its_baselines_are_timed_in_turn():
    calls = []
    results = timed_together([lambda: calls.append("page"), lambda: calls.append("raw")], repeat=3, warmup=1)
    assert calls == ["page", "raw"] * 4  # one warm-up round, then three timed rounds, each in turn
    assert len(results) == 2
    for median, p95 in results:
        assert 0 <= median <= p95
