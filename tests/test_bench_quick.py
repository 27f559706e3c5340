"""The sync and classifier benchmarks, run in quick mode at small sizes so CI exercises them.

Speed targets are not asserted here (CI machines vary); what is asserted holds at any speed:
a no-change poll costs the same commands and bytes at both sizes and fetches nothing, the first
sync finds every planted reply and moves far fewer bytes than the bulk header fetch, and the
classifier benchmark labels every reply. Mailboxes and models go to a temporary cache; the
models are trained on a third of the corpus, to stay fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import bench_classify  # noqa: E402
import bench_sync  # noqa: E402
import mailgen  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fw-bench-cache")


def test_generated_mailbox_plants_requests_and_replies(cache):
    gen = mailgen.ensure(mailgen.Spec(200, 50, 5), cache)
    assert len(gen.requests) == 5 and len(gen.replies) == 5
    inbox = list((gen.root / "cur").iterdir())
    assert len(inbox) == gen.sizes["inbox_messages"] >= 200
    assert len(list((gen.root / ".Sent" / "cur").iterdir())) == 50
    # Maildir names carry the size Dovecot would otherwise stat and count for.
    sample = inbox[0]
    assert f",S={sample.stat().st_size}," in sample.name
    assert 4_000 < gen.sizes["inbox_median"] < 30_000
    again = mailgen.ensure(mailgen.Spec(200, 50, 5), cache)
    assert again.planted == gen.planted


@pytest.mark.dovecot
def test_sync_benchmark_quick(dovecot, cache):
    results = bench_sync.run(quick=True, repeat=1, cache=cache, server=dovecot, model_every=3)
    s = bench_sync.summary(results)
    assert s["poll_commands"][0] == s["poll_commands"][1] <= 8
    assert s["poll_bytes_out"][0] == s["poll_bytes_out"][1]
    assert abs(s["poll_bytes_in"][0] - s["poll_bytes_in"][1]) < 64  # UIDNEXT digits differ
    assert s["poll_fetched"] == 0 and s["poll_searches"] == 0
    # Every reply to a request the (thinned) model detected is found; the model may miss one.
    assert s["sync_missed"] == []
    assert s["requests_planted"] == 15 and s["requests_detected"] >= 13
    assert s["replies_planted"] == 15
    assert s["replies_found"] >= s["requests_detected"]
    sync, bulk = results["first"]["sync"][0], results["first"]["bulk"][0]
    assert bulk["fetched"] >= 1000
    assert sync["bytes_in"] * 3 < bulk["bytes_in"]
    text = bench_sync.report(results)
    assert "speed-up" in text and "replies found:" in text


@pytest.mark.dovecot
def test_search_levels_benchmark_quick(dovecot, cache):
    """Every plan of the search ladder finds what plain search finds, and polls for free."""
    results = bench_sync.run_levels(1, cache, inbox=200, model_every=3, server=dovecot)
    plans = results["levels"]["plans"]
    assert set(plans) == {name for name, _ in bench_sync.PLANS}
    found = {name: entry["first"][0]["replies_found"] for name, entry in plans.items()}
    assert len(set(found.values())) == 1 and found["nested OR"] >= 13, found
    for entry in plans.values():
        poll = entry["poll"][0]
        assert poll["searches"] == 0 and poll["fetched"] == 0
    assert plans["headers only"]["first"][0]["searches"] == 0
    assert "bulk header fetch" in bench_sync.report_levels(results)


def test_classify_benchmark_quick(cache):
    res = bench_classify.run(quick=True, cache=cache, model_every=3, load_rounds=0)
    assert res["messages"] == 300
    assert res["end_to_end_per_s"] > 0 and res["classify_only_per_s"] > 0
    assert set(res["stages_s"]) == {"parse", "visible_text", "pipeline"}
    assert res["agreement"] > 0.6  # trained on a third of these very replies
    assert "target" in bench_classify.report(res)
