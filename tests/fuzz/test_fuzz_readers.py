"""The standing fuzz suite in CI (issue 16): 300 mutated files per reader family, fixed seed.

Every case is made from a real sample file (copied into a temporary folder, never written in
../shared) and judged in a worker process with a time limit and a peak-RSS check. Target: no
traceback, no hang, nothing over 1 GB, no RuntimeWarning, and every invalid header value in a
field the reader uses either rejected or flagged 判定不能. ``make fuzz`` runs the long version.
"""

from __future__ import annotations

import pytest

from tests.fuzz.harness import jobs_for, run_cases, table
from tests.fuzz.mutations import FAMILIES

CASES_PER_FAMILY = 300
SEED = 16


@pytest.fixture(scope="module")
def fuzz_result(samples):
    return run_cases(jobs_for(list(FAMILIES), CASES_PER_FAMILY, SEED), samples, workers=2, timeout_s=60)


@pytest.mark.shared_data
def test_no_traceback_hang_or_memory_blowup(fuzz_result):
    replay = [f"{r['outcome']}: {r['family']} {SEED} {r['index']} {r['what']} {r.get('detail', '')}"
              for r in fuzz_result.failures]
    assert not replay, table(fuzz_result) + "\n" + "\n".join(replay[:20])


@pytest.mark.shared_data
@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_ran_its_cases(fuzz_result, family):
    counts = fuzz_result.counts.get(family, {})
    assert sum(counts.values()) == CASES_PER_FAMILY
    assert counts.get("rejected", 0) > 0  # the mutations reach the reader's checks


@pytest.mark.shared_data
def test_invalid_header_values_are_rejected_or_flagged(fuzz_result):
    bad = [f"{r['family']} {SEED} {r['index']}: {r['what']} -> {r.get('detail', '')}"
           for r in fuzz_result.invalid_accepted]
    assert not bad, "\n".join(bad[:20])


@pytest.mark.shared_data
def test_no_runtime_warning_escapes_a_read(fuzz_result):
    assert fuzz_result.warnings == 0
