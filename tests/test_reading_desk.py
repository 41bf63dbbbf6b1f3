"""Reading a folder from the keyboard (issue 14): the reading order (Qt-free) and the real window
reading a folder of real PTB-XL files with key clicks only — Enter opens, C/X decide the top
suggestion, E/U/W set the final level, J/K move, F goes to the next unreviewed flagged case —
with every decision in the review database and its audit trail, and the progress line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ecg_viewer.app.reading_queue import (
    FLAGGED_LEVELS,
    ORDER,
    TO_READ_LEVELS,
    case_number,
    copies,
    level_of,
    next_flagged,
    progress,
    reading_order,
    step,
)

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _row(level: str | None, sha: str, when: str | None = None) -> dict:
    if level == "error":
        return {"file": sha, "error": "bad", "sha256": None}
    row = {"file": sha, "sha256": sha, "referral": {"level": level}}
    if when:
        row["recorded_at"] = when
    return row


def test_reading_order_levels_then_time_then_name():
    rows = {
        "a.hea": _row("A", "a", "2020-01-01T09:00:00"),
        "b.hea": _row("D", "b", "2020-01-01T11:00:00"),
        "c.hea": _row("urgent", "c"),
        "d.hea": _row("D", "d", "2020-01-01T08:00:00"),
        "e.hea": _row("unreadable", "e"),
        "f.hea": _row("error", "f"),
        "h.hea": _row("D", "h"),  # no time: after the timed ones of its level
    }
    order = reading_order([*rows, "g.hea"], rows)  # g: not analysed yet
    assert order == ["c.hea", "d.hea", "b.hea", "h.hea", "e.hea", "a.hea", "f.hea", "g.hea"]
    assert [ORDER[level_of(rows.get(f))] for f in order] == sorted(
        ORDER[level_of(rows.get(f))] for f in order)


def test_steps_flagged_and_progress():
    rows = {f"{k}.hea": _row(lv, k) for k, lv in
            (("u", "urgent"), ("d1", "D"), ("d2", "D"), ("c", "C"), ("a", "A"))}
    order = reading_order(list(rows), rows)
    assert step(order, None, +1) == order[0] and step(order, None, -1) is None
    assert step(order, order[0], +1) == order[1] and step(order, order[-1], +1) is None
    assert step(order, order[1], -1) == order[0]
    states = {"u": "done", "d1": "in_progress"}
    # from the urgent one: d1 (in progress counts as not reviewed), then d2, then wrap to d1
    assert next_flagged(order, "u.hea", rows, states) == "d1.hea"
    assert next_flagged(order, "d1.hea", rows, states) == "d2.hea"
    assert next_flagged(order, "d2.hea", rows, states) == "d1.hea"
    assert next_flagged(order, "a.hea", rows, {"u": "done", "d1": "done", "d2": "done"}) is None
    p = progress(order, rows, states)
    assert (p.total, p.reviewed, p.flagged_left, p.analysed) == (5, 1, 2, 5)


def test_copies_of_one_ecg_are_one_case():
    # QA 40: three copies of one 要精査 file were three flagged cases, and one review ticked all
    rows = {"a/x.hea": _row("D", "x"), "b/x_copy.hea": _row("D", "x"), "c/x.hea": _row("D", "x"),
            "u.hea": _row("urgent", "u"), "n.hea": _row("A", "n"), "bad.hea": _row("error", "bad")}
    rows["bad2.hea"] = _row("error", "bad2")
    order = reading_order(list(rows), rows)
    same = copies(order, rows)
    holder = next(f for f in order if f.endswith("x.hea") and f not in same)
    assert same == {f: holder for f in ("a/x.hea", "b/x_copy.hea", "c/x.hea") if f != holder}
    p = progress(order, rows, {})
    # the analysed count is of the same cases (QA 44: 「解析済 4/2 件」), a copy at its original's place
    assert (p.total, p.reviewed, p.flagged_left, p.analysed) == (5, 0, 2, 5)
    cases = [f for f in order if f not in same]
    assert [case_number(order, rows, f) for f in cases] == [1, 2, 3, 4, 5]
    assert {case_number(order, rows, f) for f in same} == {cases.index(holder) + 1}
    assert case_number(order, rows, "elsewhere.hea") == 0
    assert next_flagged(order, "u.hea", rows, {}) == holder
    assert next_flagged(order, holder, rows, {}) == "u.hea"  # never on to a copy
    p = progress(order, rows, {"x": "done"})
    assert (p.reviewed, p.flagged_left) == (1, 1)


@pytest.fixture
def folder(tmp_path, samples) -> Path:
    src = samples / "wfdb_ptbxl"
    heads = sorted(src.glob("*_hr.hea"))[:4]
    if len(heads) < 2:
        pytest.skip("fewer than two PTB-XL WFDB records in ../shared/data/samples/wfdb_ptbxl")
    out = tmp_path / "ecgs"
    out.mkdir()
    for h in heads:
        shutil.copy(h, out / h.name)
        shutil.copy(h.with_suffix(".dat"), out / h.with_suffix(".dat").name)
    (out / "broken.xml").write_text("<not-an-ecg/>", encoding="utf-8")  # a file that cannot be read
    return out


def _desk_window(qtbot, tmp_path, monkeypatch):
    """The real window, shown, on a review database of its own under ``tmp_path``."""
    monkeypatch.setenv("ECG_VIEWER_DATA_DIR", str(tmp_path / "db"))
    from ecg_viewer.gui.launch import ensure_app
    from ecg_viewer.gui.main_window import MainWindow

    ensure_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1500, 950)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_read_a_folder_without_the_mouse(qtbot, folder, tmp_path, monkeypatch):
    from ecg_viewer.core.messages import tr

    win = _desk_window(qtbot, tmp_path, monkeypatch)
    win.activateWindow()
    desk = win.reading_desk
    store = win.store
    with qtbot.waitSignal(desk.worklist.service.finished, timeout=300000):
        assert desk.open_folder(folder) == 5
    order = desk.worklist.sorted_files()
    rows = desk.worklist.rows
    assert Path(order[-1]).name == "broken.xml" and level_of(rows[order[-1]]) == "error"
    assert [ORDER[level_of(rows[f])] for f in order] == sorted(ORDER[level_of(rows[f])] for f in order)
    assert desk.status.isVisible() and "0/5" in desk.status.text()
    # no case open yet: the empty page says how to open the first one (J, or a double-click),
    # on two lines (the parenthesis below), where it said how to open a file before
    empty = win.view._empty
    assert empty.isVisible() and empty.text().replace("\n", "") == tr("desk.empty_worklist")
    assert "\n" in empty.text()

    def key(k, widget=None):
        qtbot.keyClick(widget or win, k)

    def opened(path_key, widget=None):
        with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
            key(path_key, widget)
        qtbot.waitUntil(lambda: win.state.analysis is not None, timeout=60000)
        return str(Path(win.state.path).resolve())

    # Enter on the worklist opens the first case in reading order, its analysis comes from the
    # worklist (no second model run)
    assert desk.worklist.table.hasFocus() or win.focusWidget() is desk.worklist.table
    first = opened(Qt.Key.Key_Return, desk.worklist.table)
    assert first == str(Path(order[0]).resolve())
    sha0 = win.state.record.sha256
    assert win.state.analysis is desk.worklist.service.analysis_for(sha0)
    panel = desk.review_panel
    ids = list(panel._row_ids)
    assert ids, "the suggestions are in the review dock"
    # F11: reading mode, the page full width and the suggestions as a strip; F11 again: back
    key(Qt.Key.Key_F11)
    assert win.strip.isVisible() and not win.panel.isVisible()
    assert not win.review_dock.dock.isVisible() and not desk.worklist_dock.isVisible()
    pred = win.state.analysis.prediction
    shown = list(pred.present()) or list(pred.top(3))  # above threshold, else the top ones
    assert shown[0].ja in win.strip.full_text() and win.strip.level.text()
    key(Qt.Key.Key_F11)
    assert win.panel.isVisible() and not win.strip.isVisible()
    assert not win.review_dock.dock.isHidden() and desk.worklist_dock.isVisible()
    # C confirms the top suggestion, X rejects the next undecided one
    key(Qt.Key.Key_C)
    assert store.get(sha0).decisions == {ids[0]: "confirmed"}
    key(Qt.Key.Key_X)
    assert store.get(sha0).decisions == {ids[0]: "confirmed", ids[1]: "rejected"}
    # E: 要精査 as the reader's level -> reviewed; the progress line counts it. The AI said
    # 要至急 (flutter at 152/min): a level below it takes the key twice (QA 43: one stray W
    # had stored 異常なし on a 要至急 case)
    assert win.state.analysis.referral.level == "urgent"
    key(Qt.Key.Key_E)
    assert store.get(sha0).final_level is None
    # what was not done first: the status bar cuts the end of a long line (QA 61)
    assert win.statusBar().currentMessage().startswith("まだ保存していません。もう一度 E で")
    key(Qt.Key.Key_E)
    r0 = store.get(sha0)
    assert r0.final_level == "D" and r0.state == "done"
    assert "確認済 1/5" in desk.status.text()
    fields = [a.field for a in store.audit(sha0)]
    assert f"decision:{ids[0]}" in fields and f"decision:{ids[1]}" in fields and "final_level" in fields
    # a comment typed, not saved, is stored on leaving the case (J: next case)
    panel.comment.setPlainText("前回と比較のこと")
    second = opened(Qt.Key.Key_J)
    assert second == str(Path(order[1]).resolve())
    assert store.get(sha0).comment == "前回と比較のこと"
    sha1 = win.state.record.sha256
    # W: 異常なし; U: 要至急 (the last key wins, both audited)
    key(Qt.Key.Key_W)
    assert store.get(sha1).final_level == "A"
    key(Qt.Key.Key_U)
    assert store.get(sha1).final_level == "urgent"
    assert [(a.old, a.new) for a in store.audit(sha1) if a.field == "final_level"] == \
        [(None, "A"), ("A", "urgent")]
    # K: back to the first case, its review is on screen again
    assert opened(Qt.Key.Key_K) == first
    assert panel.review.final_level == "D"
    # a first W asks again; it does not outlive leaving the case (QA 44: W, J, K, W stored 異常なし)
    key(Qt.Key.Key_W)
    assert "もう一度 W で" in win.statusBar().currentMessage()
    opened(Qt.Key.Key_J)
    assert opened(Qt.Key.Key_K) == first
    key(Qt.Key.Key_W)
    assert store.get(sha0).final_level == "D"
    assert "もう一度 W で" in win.statusBar().currentMessage()
    # F: the next flagged case not reviewed yet (after the current one, wrapping round)
    states = {sha: rv.state for sha, rv in store.states(
        [rows[f]["sha256"] for f in order if rows[f].get("sha256")]).items()}
    flagged = [f for f in order if level_of(rows[f]) in TO_READ_LEVELS
               and states.get(rows[f].get("sha256")) != "done"]
    if flagged:
        after = [f for f in order[1:] + order[:1] if f in flagged]
        assert opened(Qt.Key.Key_F) == str(Path(after[0]).resolve())
    else:
        key(Qt.Key.Key_F)
        assert win.statusBar().currentMessage() == tr("desk.unreadable_left", n=1)
    assert "確認済 2/5" in desk.status.text()
    # every flagged case read: F says none is left and names the file nobody could read, which
    # F does not visit and the progress line does not count (QA 61)
    from ecg_viewer.review.store import AuditContext

    for f in flagged:
        store.set_levels(rows[f]["sha256"], suggested=level_of(rows[f]), final="D",
                         context=AuditContext("t", "w", "c"))
    key(Qt.Key.Key_F)
    assert win.statusBar().currentMessage() == tr("desk.unreadable_left", n=1)


def test_the_strip_shows_whole_findings_and_how_many_more(qtbot) -> None:
    """Reading mode's strip at 1366 px in English cut the fifth finding mid-name ("●
    abnormal …"); where the findings do not fit it shows as many whole as do and "n more" (the
    full list stays in the tooltip and full_text)."""
    from ecg_viewer.core.messages import set_language, tr
    from ecg_viewer.gui.elided_label import ElidedLabel

    label = ElidedLabel(auto_tooltip=False, shrink_to_zero=True)
    qtbot.addWidget(label)
    items = ["● complete right bundle branch block 0.91", "● sinus bradycardia 0.63",
             "● left posterior fascicular block 0.26", "● abnormal QRS 0.08"]
    fm = label.fontMetrics()
    two = f"{items[0]}  {items[1]}  2 more"
    label.set_items(items, "  ", "{n} more")
    label.resize(fm.horizontalAdvance(two) + 10, 30)
    label.show()
    qtbot.waitExposed(label)
    assert label.text() == two and label.full_text() == "  ".join(items)
    label.resize(fm.horizontalAdvance("  ".join(items)) + 10, 30)
    qtbot.wait(50)
    assert label.text() == "  ".join(items)
    # not even one whole: the first is cut in the middle, its score and the count stay (QA 37:
    # "● anteroseptal myocardial infarction…" with no score and no "6 more")
    label.resize(fm.horizontalAdvance(items[0]) * 3 // 4, 30)
    qtbot.wait(50)
    assert "…" in label.text() and label.text().endswith("0.91  3 more"), label.text()
    label.resize(fm.horizontalAdvance("3 more") + 8, 30)  # no room for a part of it: elided
    qtbot.wait(50)
    assert "…" in label.text()
    label.setText("plain text")  # a plain text again elides as before
    assert label.full_text() == "plain text"
    set_language("en")
    try:
        assert tr("desk.strip.more", n=3) == "3 more"
    finally:
        set_language("ja")
    assert tr("desk.strip.more", n=3) == "ほか 3 件"


def test_a_case_the_model_did_not_judge_is_still_to_read():
    """QA 48: F never reached a 判定不能 case (a sampling rate the cart contradicts, a gated
    record) and the progress line's count left it out: only a reader can judge it."""
    rows = {"u.hea": _row("urgent", "u"), "x.xml": _row("unreadable", "x"),
            "n.hea": _row("A", "n")}
    order = reading_order(list(rows), rows)
    assert order == ["u.hea", "x.xml", "n.hea"]
    assert next_flagged(order, "u.hea", rows, {}) == "x.xml"
    assert progress(order, rows, {}).flagged_left == 2
    assert progress(order, rows, {"x": "done"}).flagged_left == 1
    assert "unreadable" not in FLAGGED_LEVELS  # a level key on it asks no second press


def test_f_opens_a_file_replaced_on_disk_after_the_list_was_analysed(qtbot, folder, tmp_path,
                                                                       monkeypatch):
    """QA 66: a reviewed file overwritten with another patient's 要至急 ECG kept its ✓ and level,
    and F said nothing was left to read."""
    import os

    from ecg_viewer.app.reading_queue import changed_since_listed
    from ecg_viewer.app.worklist_service import file_stamp, stamp_changed

    win = _desk_window(qtbot, tmp_path, monkeypatch)
    desk = win.reading_desk
    with qtbot.waitSignal(desk.worklist.service.finished, timeout=300000):
        desk.open_folder(folder)
    rows = desk.worklist.rows
    order = desk.worklist.sorted_files()
    heads = [f for f in order if f.endswith(".hea")]
    for f in heads:  # every case read: the desk has nothing left to show
        win.store.set_levels(rows[f]["sha256"], suggested="A", final="A")
    assert not desk.next_flagged()
    assert changed_since_listed(order, rows, stamp_changed) == []
    # one record's signal file replaced by another's (same header, another heart)
    target, other = Path(heads[0]), Path(heads[1])
    stamp = rows[heads[0]]["file_stamp"]
    assert {Path(p).suffix for p, *_ in stamp} == {".hea", ".dat"} and not stamp_changed(stamp)
    dat = target.with_suffix(".dat")
    dat.write_bytes(other.with_suffix(".dat").read_bytes())
    os.utime(dat, ns=(dat.stat().st_atime_ns, dat.stat().st_mtime_ns + 10**9))
    assert stamp_changed(stamp) and changed_since_listed(order, rows, stamp_changed) == [heads[0]]
    old_sha = rows[heads[0]]["sha256"]
    with qtbot.waitSignal(win.flow.analysed, timeout=120000):
        assert desk.next_flagged()
    assert Path(win.state.path) == target
    row = desk.worklist.rows[desk.worklist.find(str(target))]
    assert row["sha256"] != old_sha  # the row now describes the file as it is: not reviewed
    assert not stamp_changed(row["file_stamp"])
    assert changed_since_listed(desk.worklist.sorted_files(), desk.worklist.rows, stamp_changed) == []
    assert row["file_stamp"] == file_stamp([p for p, *_ in stamp])
    win.close()
