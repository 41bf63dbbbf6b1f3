"""The staged batch's start: the workers prepare files while the model loads on its own thread,
no row is recorded before the model is loaded and checked, and the quality gate's Welch noise
estimate is scipy's, number for number."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from scipy import signal as sps

from ecg_viewer.pipeline import batch_staged
from ecg_viewer.pipeline.batch import BatchOutput
from ecg_viewer.pipeline.batch_staged import AnalyzerSpec, run_staged
from ecg_viewer.signal.quality_stats import welch_median
from tests.batch_folder import make_batch_folder


@pytest.mark.parametrize(("n", "fs_hz", "leads"), [
    (5000, 500.0, 12), (1000, 100.0, 8), (7001, 257.0, 3), (500, 500.0, 1), (5000, 250.5, 12),
    (30000, 500.0, 12),
])
def test_welch_median_is_scipys(n: int, fs_hz: float, leads: int) -> None:
    x = np.random.default_rng(n).standard_normal((leads, n)).cumsum(axis=1)
    nperseg = min(n, int(2 * fs_hz))
    f, p = sps.welch(x, fs=fs_hz, nperseg=nperseg, average="median", axis=-1)
    f2, p2 = welch_median(x, fs_hz, nperseg)
    assert np.array_equal(f, f2) and np.array_equal(p, p2)


def test_workers_prepare_while_the_model_loads_and_rows_wait_for_it(
        bundled_samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_batch_folder(bundled_samples, tmp_path)
    todo = sorted(folder.glob("*.hea")) + [folder / "bad.xml"]
    marks: dict[str, float] = {}
    build = AnalyzerSpec.build

    def slow_build(self: AnalyzerSpec):  # the model "loads" until a worker has prepared a file
        assert threading.current_thread() is not threading.main_thread()
        deadline = time.monotonic() + 120
        while "first_prepared" not in marks and time.monotonic() < deadline:
            time.sleep(0.02)
        return build(self)

    monkeypatch.setattr(batch_staged.AnalyzerSpec, "build", slow_build)
    rows: list[tuple[float, dict]] = []
    output = BatchOutput(tmp_path / "out.jsonl")
    try:
        run_staged(todo, AnalyzerSpec("cpu"), 2, output, lambda r: rows.append((time.perf_counter(), r)),
                   times := {}, marks)
    finally:
        output.close()
    assert marks["first_prepared"] < marks["model_loaded"]
    assert len(rows) == 3 and all(t >= marks["model_loaded"] for t, _ in rows)
    assert sum("error" in r for _, r in rows) == 1  # bad.xml: held back until the model was checked
    assert all(r.get("labels") for _, r in rows if "error" not in r)
    # whose ECG and when (QA 73), from the staged path too: the keys, None where the file is silent
    assert all({"patient_id", "recorded_at"} <= set(r) for _, r in rows if "error" not in r)
    assert times["load"] > 0 and times["prepare"] > 0
