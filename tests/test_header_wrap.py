"""The header's measurement line wraps instead of widening the window, and the suggestions panel
keeps its width when the worklist comes up (1366×768, English: the longest texts).

Before: the measurement labels sat in a row, so a record with (low confidence)/（参考値） marks
and a QRS-adjusted QTc (E07509, braveheart_example4) asked for about 900 px of the centre; at
1366×768 with the worklist open the two side columns were squeezed to 222 px each (the review
dock's findings read "my… inf…", its tabs were elided). And the page/panel splitter split
every change of the centre's width 4:1, so each time the worklist came up the panel lost a fifth
of its 270 px, and kept the loss at the next start (its findings cut to "●…")."""

from __future__ import annotations

import pytest

from ecg_viewer.core.messages import set_language
from tests.xvfb_server import window_env, window_state, write_window_script, xvfb_display

LONG = {
    "hr_bpm": 61.0, "pr_ms": 198.0, "qrs_ms": 144.0, "qt_ms": 454.0, "qtc_bazett_ms": 457.0,
    "qtc_modified_ms": 386.0, "p_axis_deg": 52.0, "qrs_axis_deg": -68.0, "t_axis_deg": 90.0,
    "low_confidence": ["qrs_ms", "qt_ms"],
    "confidence_reasons": {"qrs_ms": "meas.conf_beats", "qt_ms": "meas.conf_beats"},
}


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("ja")


def test_measurement_line_wraps_and_shows_every_figure_whole(qtbot, english) -> None:
    from ecg_viewer.gui.header import HeaderWidget

    h = HeaderWidget()
    qtbot.addWidget(h)
    h.set_measurements(LONG)
    assert h.layout().sizeHint().width() > 800  # on one line the texts are long
    assert h.minimumSizeHint().width() <= 640, h.minimumSizeHint()
    h.show()
    qtbot.waitExposed(h)
    h.resize(560, h.minimumSizeHint().height())
    h.resize(560, h.sizeHint().height() if not h.hasHeightForWidth() else h.heightForWidth(560))
    qtbot.wait(50)
    labels = [lab for lab in h.meas_labels.values() if lab.text()]
    assert len(labels) == 5
    rows = set()
    for lab in labels:  # whole (these labels never elide), inside the header
        g = lab.geometry()
        assert g.width() >= lab.sizeHint().width(), lab.text()
        assert g.right() < h.width() and g.bottom() < h.height(), (lab.text(), g, h.size())
        rows.add(g.y())
    assert len(rows) >= 2  # wrapped onto a second line
    assert "QRS 144 ms" in h.text() and "(QRS-adjusted QTc 386 ms)" in h.text()


SCRIPT = """
    from PySide6.QtWidgets import QDockWidget, QTabBar
    from PySide6.QtCore import Qt

    what, path = sys.argv[1], sys.argv[2]
    win.set_language("en")
    win.show()

    if what in ("folder", "folder+file"):
        win.reading_desk.open_folder(path)
        t0 = time.monotonic()
        while win.reading_desk.worklist.service.running and time.monotonic() - t0 < 120:
            pump(0.2)
        pump(1.0)
    if what in ("file", "folder+file"):
        win.controller.open_file(sys.argv[3] if what == "folder+file" else path)
        t0 = time.monotonic()
        while win.state.analysis is None and time.monotonic() - t0 < 90:
            pump(0.1)
        pump(1.5)

    def rect(w):
        p = w.mapTo(win, w.rect().topLeft())
        return [p.x(), p.y(), w.width(), w.height()]

    bars = [b for b in win.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if b.isVisible() and b.count() > 0]
    print("STATE " + json.dumps({
        "docks": {d.objectName(): rect(d) for d in win.findChildren(QDockWidget) if d.isVisible()},
        "splitter": win.splitter.sizes(),
        "header": rect(win.header),
        "meas": [rect(lab) for lab in win.header.meas_labels.values() if lab.text()],
        "bars": [{"w": b.width(), "tabs_px": sum(b.tabSizeHint(i).width() for i in range(b.count()))}
                 for b in bars],
        "window": [win.width(), win.height()],
    }), flush=True)
    win.close()
    pump(0.5)
"""


def test_side_columns_and_panel_keep_their_width_after_a_worklist(tmp_path, bundled_samples):
    """A file; a folder as a worklist; a file again, with the layout the worklist left: its dock
    is not brought back empty; a folder and then a file in one run (the worklist beside the
    page): the review column, the worklist and the suggestions panel keep the widths the first
    start gave them, and the long measurement line wraps inside the header."""
    with xvfb_display(1366, 768, dpi=96) as display:
        env = window_env(display, tmp_path)
        script = write_window_script(tmp_path / "run.py", SCRIPT)
        sample = bundled_samples / "E07509.hea"  # QRS (low confidence), QRS-adjusted QTc
        first = window_state(env, script, "file", sample)
        window_state(env, script, "folder", bundled_samples)
        third = window_state(env, script, "file", sample)
        fourth = window_state(env, script, "folder+file", bundled_samples, sample)
    column0 = first["docks"]["review_dock"][2]
    panel0 = first["splitter"][1]
    # an empty worklist is not restored: the layout is the first start's
    assert "worklist_dock" not in third["docks"], third
    assert third["splitter"][1] >= panel0 - 4 and third["docks"]["review_dock"][2] >= column0 - 4
    assert "worklist_dock" in fourth["docks"], fourth
    for st in (third, fourth):
        assert st["docks"]["review_dock"][2] >= column0 - 4, (first, st)
        assert st["splitter"][1] >= panel0 - 4, (first, st)
        assert all(b["tabs_px"] <= b["w"] for b in st["bars"]), st
        hx, hy, hw, hh = st["header"]
        for x, y, w, h in st["meas"]:  # every figure inside the header
            assert hx <= x and x + w <= hx + hw and hy <= y and y + h <= hy + hh, st
    assert fourth["docks"]["worklist_dock"][2] >= column0 - 4, fourth
