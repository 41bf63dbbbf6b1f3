"""A CSV that states no sampling rate, opened in the window (QA 43): the reader is asked for the
rate and the ECG opens at it; cancelled, the error stays in the notices as before."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ecg_viewer.core.leads import CANONICAL_LEADS


def _csv(path: Path) -> Path:
    from ecg_viewer.signal.synthetic import synthetic

    rec = synthetic(fs=250.0, hr=72.0)
    cols = [rec.lead(n) for n in CANONICAL_LEADS]
    np.savetxt(path, np.stack(cols, axis=1), delimiter=",", header=",".join(CANONICAL_LEADS),
               comments="", fmt="%.4f")
    return path


def test_the_window_asks_for_the_rate(make_window, qtbot, tmp_path, monkeypatch) -> None:
    from ecg_viewer.gui import open_errors
    from ecg_viewer.pipeline.analyze import Analyzer

    win = make_window((1200, 800), use_stored_language=False,
                      analyzer_factory=lambda: Analyzer(load_model=False))
    f = _csv(tmp_path / "no_rate.csv")
    asked: list[str] = []
    monkeypatch.setattr(open_errors, "ask_rate", lambda _w, p: asked.append(p) or 250.0)
    with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
        win.controller.open_file(str(f))
    assert asked == [str(f)] and win.state.record.fs_hz == 250.0
    assert abs(win.state.record.duration_s - 10.0) < 0.01
    monkeypatch.setattr(open_errors, "ask_rate", lambda _w, _p: None)  # cancelled
    g = _csv(tmp_path / "again.csv")
    with qtbot.waitSignal(win.controller.loadFailed, timeout=30000):
        win.controller.open_file(str(g))
    qtbot.waitUntil(lambda: win.notices.count >= 1, timeout=5000)
    assert "サンプリング周波数" in win.notices.messages()[-1]
    assert win.state.record.source_path.endswith("no_rate.csv")  # the ECG on screen stays
