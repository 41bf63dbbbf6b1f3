"""The measurements never meet a half-imported torch (QA 54: every file under 500 Hz opened at
start-up read 「予期しないエラー（AttributeError）」 for about 3 s: scipy's array-API check in
``resample_poly`` read ``sys.modules["torch"]`` while the model lane was importing it)."""

from __future__ import annotations

import threading
from pathlib import Path

from ecg_viewer.app.analysis_flow import measure_record
from ecg_viewer.io import read_ecg
from ecg_viewer.model.torch_loader import TORCH_IMPORT, import_torch


def test_measuring_waits_while_torch_is_imported(bundled_samples: Path) -> None:
    rec = read_ecg(bundled_samples / "00009_hr.hea")
    done = threading.Event()
    out: list = []

    def measure() -> None:
        out.append(measure_record(rec))
        done.set()

    with TORCH_IMPORT:  # the model lane importing torch
        worker = threading.Thread(target=measure)
        worker.start()
        assert not done.wait(0.3)  # held back until the import is over
    worker.join(60)
    assert done.is_set() and out[0].hr_bpm is not None
    import_torch()  # and the lane's import takes the same lock (no deadlock, idempotent)
    assert not TORCH_IMPORT.locked()
