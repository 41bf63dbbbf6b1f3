"""QA 69 F1: PDF, JSON and FHIR asked for one after another (a second apart) — the JSON was never
written and nothing said so: the exports shared one "latest request wins" slot on the report
lane, so a waiting export was replaced by the next one. Every export asked for is written."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from ecg_viewer.app.report_jobs import ReportJobs
from ecg_viewer.app.state import ViewerState
from ecg_viewer.io import read_ecg


def test_exports_asked_for_in_a_row_are_all_written(qtbot, bundled_samples: Path,
                                                    tmp_path: Path, monkeypatch) -> None:
    from ecg_viewer.app import report_jobs

    gate = threading.Event()
    original = report_jobs._export

    def slow_first(args, path):  # the first export is still running when the others are asked
        if path.suffix == ".pdf":
            assert gate.wait(30)
        return original(args, path)

    monkeypatch.setattr(report_jobs, "_export", slow_first)
    state = ViewerState()
    state.set_record(read_ecg(bundled_samples / "00017_hr.hea"))
    jobs = ReportJobs(state, review_of=lambda _sha: None, comparison_of=lambda: None)
    written: list[Path] = []
    jobs.exported.connect(lambda paths: written.extend(paths))
    jobs.exportFailed.connect(lambda exc: written.append(exc))
    try:
        targets = [tmp_path / "r.pdf", tmp_path / "r.json", tmp_path / "r.fhir.json"]
        for t in targets:
            jobs.export(t)
        gate.set()
        qtbot.waitUntil(lambda: len(written) >= 3, timeout=120000)
        assert sorted(map(str, written)) == sorted(map(str, targets))
        assert all(t.is_file() and t.stat().st_size > 0 for t in targets)
        assert json.loads(targets[1].read_text(encoding="utf-8"))["referral"]["level"]
    finally:
        jobs.shutdown()
