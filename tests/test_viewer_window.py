"""The viewer window, offscreen (pytest-qt): open files, layouts, gain, speed, filters, calipers,
what is drawn, reader errors, settings remembered, language switch, the panels' APIs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from ecg_viewer.core.errors import EcgReadError, user_message
from ecg_viewer.core.messages import Bilingual, Reason
from ecg_viewer.core.prediction import (
    Analysis,
    LabelScore,
    ModelInfo,
    Prediction,
    QualityReport,
    Referral,
    level_name,
)
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.files import find_ecg_files as folder_files
from ecg_viewer.signal.calipers import Caliper
from ecg_viewer.signal.filters import FilterSettings, apply_filters

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


@pytest.fixture
def win(make_window):
    return make_window((1500, 950))


def open_and_wait(qtbot, w, path) -> None:
    with qtbot.waitSignal(w.controller.loadFinished, timeout=30000):
        w.controller.open_file(str(path))
    qtbot.waitUntil(lambda: not w.controller.is_loading(), timeout=5000)


def drawn(w):
    """(lead, x, y) of every visible trace curve."""
    out = []
    for tp, item in zip(w.view.page.traces, w.view.trace_items(), strict=True):
        x, y = item.getOriginalDataset()
        out.append((tp.lead, np.asarray([] if x is None else x), np.asarray([] if y is None else y)))
    return out


def _one_file_per_format(folders: list[Path]) -> list[Path]:
    chosen: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for f in folder_files(folder):
            try:
                rec = read_ecg(f)
            except EcgReadError:
                continue
            chosen.setdefault(rec.format, f)
            break
    return list(chosen.values())


def test_opens_one_file_of_every_readable_format_and_draws_every_lead(win, qtbot, bundled_samples, samples):
    folders = [bundled_samples] + sorted(p for p in samples.iterdir() if p.is_dir())
    files = _one_file_per_format(folders)
    assert len(files) >= 2
    for f in files:
        open_and_wait(qtbot, win, f)
        rec = win.state.record
        assert Path(win.state.path).name == f.name
        page = win.view.page
        assert page is not None and len(win.view.trace_items()) == len(page.traces)
        for (lead, x, y), tp in zip(drawn(win), page.traces, strict=True):
            if tp.available:
                assert len(x) == tp.i1 - tp.i0 > 0, (f.name, lead)
                v = rec.lead(lead)[tp.i0:tp.i1].astype(np.float64)  # around its drawn level
                np.testing.assert_allclose(y, tp.y_mm - (v - tp.level_mv) * tp.gain_mm_mv,
                                           rtol=1e-5, atol=1e-4)
            else:
                assert len(x) == 0
        labels = [item.text() for item in win.view.label_items()]
        assert any(t.lead in labels[i] for i, t in enumerate(page.traces))
        assert f.name in win.header.text()


def test_pulse_spans_two_big_squares_in_scene_coordinates(win, qtbot, bundled_samples):
    open_and_wait(qtbot, win, bundled_samples / "00017_hr.hea")
    win.controller.set_gain(10.0)
    view = win.view
    view.set_true_scale(4.0)  # 4 px per mm: 1 mV at 10 mm/mV must be 40 px high
    xs, ys = view.pulse_items()[0].getOriginalDataset()
    x = float(xs[2])
    top = view.vb.mapViewToScene(QPointF(x, float(min(ys))))
    base = view.vb.mapViewToScene(QPointF(x, float(max(ys))))
    sq = view.vb.mapViewToScene(QPointF(x, float(max(ys)) - view.grid.major_mm))
    pulse_px = base.y() - top.y()
    square_px = base.y() - sq.y()
    assert pulse_px == pytest.approx(2 * square_px, rel=1e-6)
    assert pulse_px == pytest.approx(40.0, rel=0.01)
    assert view.px_per_mm() == pytest.approx(4.0, rel=0.01)
    # at 20 mm/mV the pulse is four big squares
    win.controller.set_gain(20.0)
    xs, ys = view.pulse_items()[0].getOriginalDataset()
    assert float(max(ys) - min(ys)) == pytest.approx(4 * view.grid.major_mm)


def test_keyboard_switches_layout_gain_speed_and_filters(win, qtbot, bundled_samples):
    open_and_wait(qtbot, win, bundled_samples / "00017_hr.hea")
    win.activateWindow()
    s = lambda: win.state.settings  # noqa: E731
    win.controller.set_layout("3x4")
    for key, layout, n in ((Qt.Key.Key_2, "6x2", 13), (Qt.Key.Key_3, "12x1", 12), (Qt.Key.Key_4, "1", 1),
                           (Qt.Key.Key_1, "3x4", 13)):
        qtbot.keyClick(win, key)
        assert s().layout == layout and len(win.view.page.traces) == n
        assert win.actions_[f"layout:{layout}"].isChecked()
        if layout == "1":  # one lead enlarged fills the view's width
            assert win.view.vb.viewRect().width() == pytest.approx(win.view.page.width_mm * 1.02, rel=0.03)
        elif 0.75 * win.view.fit_ppm() <= win.view.px_per_mm_true <= win.view.fit_ppm():
            # the others at actual size when it fits and fills most of the view
            assert win.view.px_per_mm() == pytest.approx(win.view.px_per_mm_true, rel=1e-3)
        else:  # else the whole page as large as it fits
            assert win.view.px_per_mm() == pytest.approx(win.view.fit_ppm(), rel=0.05)
            r, page = win.view.page_rect_in_widget(), win.view.page
            assert r.left() >= -1 and r.top() >= -1 and r.right() <= win.view.width() + 1 \
                and r.bottom() <= win.view.height() + 1, (r, page.width_mm, page.height_mm)
    win.controller.set_gain(10.0)
    qtbot.keyClick(win, Qt.Key.Key_G)
    assert s().gain_limb_mm_mv == 20.0 and win.view.page.traces[0].gain_mm_mv == 20.0
    qtbot.keyClick(win, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    assert s().gain_limb_mm_mv == 10.0
    win.controller.set_gain(5.0, "chest")
    v1 = next(t for t in win.view.page.traces if t.lead == "V1")
    assert v1.gain_mm_mv == 5.0 and win.view.page.traces[0].gain_mm_mv == 10.0
    assert "肢誘導 10 mm/mV" in win.view.settings_text_item().text()
    win.controller.set_speed(25.0)
    qtbot.keyClick(win, Qt.Key.Key_S)
    assert s().speed_mm_s == 50.0 and win.view.page.traces[0].width_mm == pytest.approx(125.0)
    win.controller.set_filters(FilterSettings())
    before = drawn(win)[1][2].copy()
    qtbot.keyClick(win, Qt.Key.Key_B)
    qtbot.keyClick(win, Qt.Key.Key_N)
    qtbot.keyClick(win, Qt.Key.Key_L)
    assert s().filters == FilterSettings(0.05, 50.0, 150.0)
    assert win.actions_["toggle:notch"].isChecked()
    assert "ハム除去 50 Hz" in win.view.settings_text_item().text()
    after = drawn(win)[1][2]
    assert not np.allclose(before, after)
    qtbot.keyClick(win, Qt.Key.Key_R)  # raw again, one key
    assert not s().filters.any_on and np.allclose(drawn(win)[1][2], before)
    assert "生波形" in win.view.settings_text_item().text()
    qtbot.keyClick(win, Qt.Key.Key_R)  # and back to the filters that were on
    assert s().filters == FilterSettings(0.05, 50.0, 150.0)
    np.testing.assert_array_equal(win.state.record.signal_mv, read_ecg(bundled_samples / "00017_hr.hea").signal_mv)


def test_filtered_trace_of_record_with_added_50hz_matches_the_clean_one(win, qtbot, bundled_samples):
    clean = read_ecg(bundled_samples / "00017_hr.hea")
    t = np.arange(clean.n_samples) / clean.fs_hz
    noisy = clean.with_signal(clean.signal_mv + (0.3 * np.sin(2 * np.pi * 50 * t)).astype(np.float32))
    win.controller.set_layout("12x1")
    win.controller.set_filters(FilterSettings(notch_hz=50.0))
    win.controller.open_record(clean, "clean")
    clean_y = [y.copy() for _, _, y in drawn(win)]
    win.controller.open_record(noisy, "noisy")
    edge = int(0.5 * clean.fs_hz)
    for cy, (_, _, ny) in zip(clean_y, drawn(win), strict=True):
        assert np.abs(cy - ny)[edge:-edge].max() < 0.2  # mm, i.e. 0.02 mV at 10 mm/mV
    win.controller.set_filters(FilterSettings())
    assert max(np.abs(cy - ny).max() for cy, (_, _, ny) in zip(clean_y, drawn(win), strict=True)) > 2.5


def test_calipers_placed_with_the_mouse_read_ms_bpm_and_mv(win, qtbot, bundled_samples):
    open_and_wait(qtbot, win, bundled_samples / "00017_hr.hea")
    win.controller.set_layout("3x4")
    win.controller.set_speed(25.0)
    win.controller.set_gain(10.0)
    view = win.view
    ii = next(t for t in view.page.traces if t.lead == "II" and not t.rhythm)

    def click(x_mm, y_mm):
        scene = view.vb.mapViewToScene(QPointF(x_mm, y_mm))
        pos = view.mapFromScene(scene)
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)

    view.zoom_to(8.0, QPointF(ii.x_of(0.9), ii.y_mm - 20))  # 8 px per mm around the clicks
    px_ms = 1000.0 / view.px_per_mm() / 25.0  # one screen pixel, in ms
    win.actions_["caliper:time"].trigger()
    assert view.caliper_mode == "time"
    with qtbot.waitSignal(view.caliperPlaced, timeout=3000) as sig:
        click(ii.x_of(1.0), ii.y_mm)
        click(ii.x_of(1.2), ii.y_mm)
    c = sig.args[0]
    assert c.kind == "time" and c.lead == "II"
    assert c.interval_ms == pytest.approx(200.0, abs=2 * px_ms)  # each click lands on a pixel
    assert win.state.calipers == [c]
    # exactly 0.2 s reads 200 ms and 300 bpm on the page
    win.controller.clear_calipers()
    win.controller.add_caliper(Caliper("time", "II", 1.0, 1.2))
    assert [t.text() for t in view.caliper_label_items()] == ["200 ms（300 /分）"]
    win.actions_["caliper:amplitude"].trigger()
    assert view.caliper_mode == "amplitude"
    view.click_mm(ii.x_of(1.5), ii.y_of(0.0))
    a = view.click_mm(ii.x_of(1.5), ii.y_of(1.0))
    assert a.amplitude_mv == pytest.approx(1.0, abs=1e-6)
    assert len(win.state.calipers) == 2 and len(view.caliper_label_items()) == 2
    # calipers are data of the record: they survive a layout change and stay with the record
    win.controller.set_layout("12x1")
    assert len(view.caliper_label_items()) == 2
    qtbot.keyClick(win, Qt.Key.Key_Delete)
    assert win.state.calipers == [] and view.caliper_label_items() == []


def test_a_caliper_on_the_rhythm_strip_measures_and_stays_there(win, qtbot, bundled_samples):
    """QA 2026-12-06: on the II rhythm strip of a 3×4 page a caliper from 2.0 to 3.0 s read
    「500 ms（120 /分）」 (cut at the II row's end, 2.5 s) and was drawn on the II row above; a
    second click in another column was clamped silently, two clicks on one spot kept「0 ms」."""
    open_and_wait(qtbot, win, bundled_samples / "00017_hr.hea")
    win.controller.set_layout("3x4")
    win.controller.set_speed(25.0)
    view = win.view
    strip = next(t for t in view.page.traces if t.rhythm)
    assert strip.lead == "II"
    win.actions_["caliper:time"].trigger()
    view.click_mm(strip.x_of(2.0), strip.y_mm)
    c = view.click_mm(strip.x_of(3.0), strip.y_mm)
    assert c is not None and c.rhythm_strip and c.interval_ms == pytest.approx(1000.0, abs=1.0)
    assert c.text("ja") == "1000 ms（60 /分）"
    (label,) = view.caliper_label_items()
    y = label.pos().y()
    assert strip.band_top_mm - 3.0 <= y <= strip.band_bottom_mm, (y, strip.band_top_mm)
    # from the stored review, the PDF and the screen place it on the strip again
    from ecg_viewer.report.pdf_ecg import to_caliper
    from ecg_viewer.review.model import Annotation

    assert to_caliper(Annotation.from_dict(c.to_dict())) == c
    # a second click in another column or on the same spot places nothing, and says why
    i_row = next(t for t in view.page.traces if t.lead == "I")
    with qtbot.waitSignal(view.caliperRefused, timeout=1000) as refused:
        view.click_mm(i_row.x_of(2.0), i_row.y_mm)
        assert view.click_mm(i_row.x_of(2.0) + 70.0, i_row.y_mm) is None  # in the aVR column
    assert refused.args == ["ui.caliper.outside"]
    assert "同じ波形" in win.statusBar().currentMessage()
    with qtbot.waitSignal(view.caliperRefused, timeout=1000) as refused:
        view.click_mm(i_row.x_of(1.0), i_row.y_mm)
        assert view.click_mm(i_row.x_of(1.0), i_row.y_mm) is None
    assert refused.args == ["ui.caliper.empty"]
    assert len(win.state.calipers) == 1


def test_reader_error_shows_the_message_and_keeps_the_previous_record(win, qtbot, bundled_samples, tmp_path):
    open_and_wait(qtbot, win, bundled_samples / "00009_hr.hea")
    before = win.state.record
    page = win.view.page
    bad = tmp_path / "broken.hea"
    bad.write_text("this is not a WFDB header\n\x00\x01", encoding="latin-1")
    with qtbot.waitSignal(win.controller.loadFailed, timeout=20000) as sig:
        win.controller.open_file(str(bad))
    qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=5000)
    path, exc = sig.args
    message = user_message(exc)  # rendered where it is shown, in the current language
    assert "broken.hea" in message and win.last_error == message
    # one notice in the notice area (no message box; see tests/test_notice_area.py)
    assert win.notices.count == 1 and "broken.hea" in win.notices.messages()[-1]
    assert "表示中の心電図はそのままです" in win.notices.messages()[-1]
    assert win.state.record is before and win.view.page is page
    # a missing file too
    with qtbot.waitSignal(win.controller.loadFailed, timeout=20000) as sig:
        win.controller.open_file(str(tmp_path / "nope.hea"))
    qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=5000)
    assert "見つかりません" in user_message(sig.args[1]) and win.state.record is before


def test_next_previous_file_and_stale_loads(win, qtbot, bundled_samples):
    files = folder_files(bundled_samples)
    assert [f.suffix for f in files] == [".hea"] * len(files)  # not .dat/.mat, not the LICENSE
    open_and_wait(qtbot, win, files[0])
    with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
        assert win.controller.step_file(+1)
    qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=5000)
    assert Path(win.state.path).name == files[1].name
    # two opens in a row: only the last one is shown
    win.controller.open_file(str(files[2]))
    with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
        win.controller.open_file(str(files[0]))
    qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=5000)
    qtbot.wait(50)
    assert Path(win.state.path).name == files[0].name
    assert not win.controller.step_file(-1)


def test_settings_are_remembered_between_runs(qtbot, bundled_samples):
    from ecg_viewer.gui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.controller.set_layout("6x2")
    w.controller.set_speed(50.0)
    w.controller.set_filters(FilterSettings(0.5, 60.0, 40.0))
    w.resize(701, 502)
    w.close()
    w2 = MainWindow()
    qtbot.addWidget(w2)
    s = w2.state.settings
    assert (s.layout, s.speed_mm_s, s.filters) == ("6x2", 50.0, FilterSettings(0.5, 60.0, 40.0))
    assert w2.size().width() == 701


def test_language_switches_to_english_and_back(win, qtbot, bundled_samples):
    open_and_wait(qtbot, win, bundled_samples / "00017_hr.hea")
    assert win.actions_["open"].text() == "開く…"
    win.actions_["lang:en"].trigger()
    assert win.actions_["open"].text() == "Open…"
    assert "Filters" in win.view.settings_text_item().text()
    assert "Patient ID" in win.header.text()
    assert win.app_settings.language() == "en"
    win.actions_["lang:ja"].trigger()
    assert win.actions_["open"].text() == "開く…" and "フィルタ" in win.view.settings_text_item().text()


def test_suggestions_panel_and_measurements_header_api(win, qtbot, bundled_samples):
    panel = win.panel
    assert panel.state == "placeholder" and "所見候補" in panel.message.text()
    open_and_wait(qtbot, win, bundled_samples / "00017_hr.hea")
    assert panel.state in ("busy", "analysis", "error")  # the model works on it in the background
    panel.set_busy()
    assert panel.progress.isVisible()
    labels = (
        LabelScore("afib", "心房細動", "atrial fibrillation", 0.41, 0.83, 0.5, "D"),
        LabelScore("nsr", "正常洞調律", "sinus rhythm", 0.12, 0.2, 0.5, "A"),
    )
    analysis = Analysis(
        file="x", sha256=None, quality=QualityReport(ok=True),
        referral=Referral("D", ("afib",), (Reason.of(
            "referral.because_label", label=Bilingual("心房細動", "atrial fibrillation"),
            level=level_name("D")),)),
        prediction=Prediction(labels, ModelInfo("0.1.0", "abc", "1", "cpu")),
    )
    win.state.set_analysis(analysis)
    assert panel.state == "analysis" and panel.banner.text() == "要精査"
    assert panel.table.topLevelItemCount() == 2
    assert panel.table.topLevelItem(0).text(0) == "● 心房細動" and panel.table.topLevelItem(0).font(0).bold()
    panel.show_error("boom")
    assert "boom" in panel.message.text() and panel.retry.isVisible()
    win.state.set_measurements(None)
    assert "計測中" in win.header.text()
    win.header.set_measurements({"hr_bpm": 72.0, "pr_ms": {"value": None, "reason": "AF"},
                                 "qrs_ms": 92, "qt_ms": 380, "qtc_bazett_ms": 416,
                                 "p_axis_deg": None, "qrs_axis_deg": 60, "t_axis_deg": 40})
    text = win.header.text()
    assert "心拍数 72 /分" in text and "PR —" in text and "QT/QTc(B) 380/416 ms" in text
    # the PR's tooltip: what PR is, then why it is not given
    assert "QRS 60°" in text and win.header.meas_labels["pr"].toolTip().endswith("\nAF")
    # a new record clears both until its own measurements and analysis arrive
    open_and_wait(qtbot, win, bundled_samples / "00009_hr.hea")
    assert panel.state != "analysis" or panel.analysis.sha256 == win.state.record.sha256
    assert "72 /分" not in win.header.text()
    qtbot.waitUntil(lambda: win.state.measurements is not None, timeout=30000)


def test_long_record_scrolls_with_the_bar_and_the_arrow_keys(win, qtbot, samples):
    open_and_wait(qtbot, win, samples / "wfdb" / "100.hea")  # MIT-BIH, 30 min, MLII + V5
    page = win.view.page
    assert [t.lead for t in page.traces] == ["V5", "MLII"] and page.can_scroll
    assert win.scrollbar.isVisible() and win.scrollbar.maximum() == round((page.duration_s - 10) * 10)
    win.scrollbar.setValue(600)  # 60 s
    assert win.view.page.start_s == pytest.approx(60.0, abs=1 / 360)
    x, _ = win.view.trace_items()[0].getOriginalDataset()
    assert len(x) == 3600 and win.view.page.traces[0].i0 == 21600
    assert "60.0–70.0" in win.view.settings_text_item().text()
    win.activateWindow()
    qtbot.keyClick(win, Qt.Key.Key_Right)
    assert win.view.page.start_s == pytest.approx(65.0, abs=1 / 360) and win.scrollbar.value() == 650
    # End and Home: the record's last and first window (QA 43)
    qtbot.keyClick(win, Qt.Key.Key_End)
    assert win.view.page.start_s == pytest.approx(page.duration_s - 10, abs=1 / 360)
    qtbot.keyClick(win, Qt.Key.Key_Home)
    assert win.view.page.start_s == 0.0
    qtbot.keyClick(win, Qt.Key.Key_End)  # back where the test goes on from
    win.controller.scroll(-1e12)
    win.controller.state.update_settings(start_s=65.0)
    # a long record is filtered around the page only, and matches filtering all of it
    diag = FilterSettings.diagnostic()
    win.controller.set_filters(diag)
    seg = win.state.display_signal()
    assert seg.data.shape[1] < win.state.record.n_samples // 10
    full = apply_filters(win.state.record.signal_mv, win.state.record.fs_hz, diag)
    tp = win.view.page.traces[1]
    _, y = win.view.trace_items()[1].getOriginalDataset()
    v = full[tp.row_index, tp.i0:tp.i1]
    np.testing.assert_allclose(y, tp.y_mm - (v - tp.level_mv) * tp.gain_mm_mv, atol=0.05)
    # speed and gain from the toolbar
    win.speed_combo.setCurrentIndex(0)
    assert win.state.settings.speed_mm_s == 12.5
    win.gain_combo.setCurrentIndex(3)
    assert win.state.settings.gain_limb_mm_mv == 20.0 == win.state.settings.gain_chest_mm_mv


def test_actual_size_stays_actual_size_when_the_window_is_resized(win, qtbot, bundled_samples):
    open_and_wait(qtbot, win, bundled_samples / "00017_hr.hea")
    win.view.set_true_scale(3.5)
    assert win.view.px_per_mm() == pytest.approx(3.5, rel=1e-3)
    win.resize(700, 520)
    qtbot.wait(50)
    assert win.view.px_per_mm() == pytest.approx(3.5, rel=1e-3)
    win.view.fit_page()  # fit mode refits after a resize
    win.resize(760, 560)
    qtbot.wait(50)
    r = win.view.vb.viewRect()
    assert r.width() >= win.view.page.width_mm and r.height() >= win.view.page.height_mm
    assert min(r.width() / win.view.page.width_mm, r.height() / win.view.page.height_mm) < 1.05


def test_drag_and_drop_recent_files_and_screen_scale_dialog(win, qtbot, bundled_samples):
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtGui import QDropEvent

    from ecg_viewer.gui.scale_dialog import ScaleDialog

    f = bundled_samples / "E07509.hea"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f))])
    ev = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
        win.dropEvent(ev)
    qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=5000)
    assert Path(win.state.path).name == "E07509.hea"
    assert win.app_settings.recent_files()[0] == str(f.resolve())
    assert str(f.resolve()) in [a.text() for a in win.recent_menu.actions()]
    # the ruler: the 100 mm bar measured 110 mm -> fewer pixels per mm
    dlg = ScaleDialog(4.0, win)
    qtbot.addWidget(dlg)
    dlg.measured.setValue(110.0)
    dlg._from_measured()
    assert dlg.px_per_mm() == pytest.approx(4.0 * 100 / 110, rel=1e-3)
    assert dlg.measured.value() == 100.0



def test_calipers_placed_from_the_keyboard(win, qtbot, bundled_samples):
    """QA 72: T and A armed a caliper only a mouse could place. With one armed, ←/→ move a cross
    1 mm (Shift: 5 mm) along the trace, ↑/↓ to the trace above/below (an amplitude caliper: 1 mm,
    Ctrl+↑/↓ the trace), Enter places a point; the window's ←/→ (scroll) wait meanwhile."""
    open_and_wait(qtbot, win, bundled_samples / "00017_hr.hea")
    win.controller.set_layout("3x4")
    win.controller.set_speed(25.0)
    win.controller.set_gain(10.0)
    view = win.view
    win.activateWindow()
    start = win.view.page.start_s
    qtbot.keyClick(win, Qt.Key.Key_T)  # the window's shortcut arms the time caliper
    assert view.caliper_mode == "time"
    qtbot.waitUntil(view.hasFocus, timeout=3000)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # the first key shows the cross where it starts
    first = view.page.trace_at(*view.caliper_keys.at)
    x0 = view.caliper_keys.at[0]
    qtbot.keyClick(view, Qt.Key.Key_Return)
    for _ in range(2):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # 2 x 5 mm
    with qtbot.waitSignal(view.caliperPlaced, timeout=3000) as sig:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    c = sig.args[0]
    assert c.kind == "time" and c.lead == first.lead
    assert c.interval_ms == pytest.approx(400.0, abs=1e-6)  # 10 mm at 25 mm/s
    assert c.t0_s == pytest.approx(first.t_of(x0))
    assert view.page.start_s == start  # the arrows moved the cross, not the record
    # ↓: the trace below, in the same column
    qtbot.keyClick(view, Qt.Key.Key_Down)
    below = view.page.trace_at(*view.caliper_keys.at)
    assert below.band_top_mm > first.band_top_mm and below.x_mm == first.x_mm
    # an amplitude caliper: ↑ moves the cross 1 mm up the trace = +0.1 mV at 10 mm/mV
    qtbot.keyClick(win, Qt.Key.Key_A)
    assert view.caliper_mode == "amplitude" and view.caliper_keys.at is None
    qtbot.keyClick(view, Qt.Key.Key_Space)  # shows the cross and places the first point
    for _ in range(5):
        qtbot.keyClick(view, Qt.Key.Key_Up)
    with qtbot.waitSignal(view.caliperPlaced, timeout=3000) as sig:
        qtbot.keyClick(view, Qt.Key.Key_Space)
    assert sig.args[0].kind == "amplitude"
    assert sig.args[0].amplitude_mv == pytest.approx(0.5, abs=1e-6)
    assert len(win.state.calipers) == 2
    # Esc ends the mode; the arrows scroll the record again (a 10-s record: nothing to scroll,
    # but the keys no longer reach the cross)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    qtbot.keyClick(win, Qt.Key.Key_A)
    qtbot.keyClick(win, Qt.Key.Key_A)  # pressed again: off
    assert view.caliper_mode is None
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.caliper_keys.at is None
