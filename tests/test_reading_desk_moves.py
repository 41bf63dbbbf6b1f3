"""Moving through a worklist with J when it changes under the reader (QA 2026-12-06):

- a case the background analysis finds urgent after the reader has passed its place in the
  order was never reached with J (it sorted above the current case);
- a worklist file deleted since the list was made blocked J: its load failed, the window stayed
  on the case before it, and the next J tried the deleted file again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ecg_viewer.app.reading_queue import passed_flagged, reading_order
from tests.window_fixtures import main_window

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _row(level: str, sha: str) -> dict:
    return {"file": sha, "sha256": sha, "referral": {"level": level}}


def test_passed_flagged_finds_a_case_placed_above_the_reader():
    rows = {f"{k}.hea": _row(lv, k) for k, lv in
            (("u", "urgent"), ("d", "D"), ("c", "C"), ("a1", "A"), ("a2", "A"))}
    order = reading_order(list(rows), rows)
    assert passed_flagged(order, "a1.hea", rows, {}, {"a1.hea", "c.hea", "d.hea"}) == "u.hea"
    assert passed_flagged(order, "a1.hea", rows, {"u": "done"}, {"a1.hea"}) == "d.hea"
    assert passed_flagged(order, "a1.hea", rows, {}, set(order)) is None  # all seen
    assert passed_flagged(order, "u.hea", rows, {}, set()) is None  # nothing above
    assert passed_flagged(order, None, rows, {}, set()) is None


@pytest.fixture
def folder(tmp_path, samples, bundled_samples) -> Path:
    heads = sorted((samples / "wfdb_ptbxl").glob("*_hr.hea"))[:4]
    if len(heads) < 4:
        pytest.skip("fewer than four PTB-XL WFDB records in ../shared/data/samples/wfdb_ptbxl")
    out = tmp_path / "ecgs"
    out.mkdir()
    for h in heads:
        shutil.copy(h, out / h.name)
        shutil.copy(h.with_suffix(".dat"), out / h.with_suffix(".dat").name)
    for name in ("E07505", "E07509"):  # two CinC records: six cases in all
        for ext in (".hea", ".mat"):
            shutil.copy(bundled_samples / f"{name}{ext}", out / f"{name}{ext}")
    return out


def test_j_reaches_a_late_urgent_case_and_moves_past_a_deleted_file(qtbot, folder, tmp_path,
                                                                    monkeypatch):
    from ecg_viewer.core.messages import tr

    win = main_window(qtbot, monkeypatch, tmp_path / "db")
    desk = win.reading_desk
    try:
        with qtbot.waitSignal(desk.worklist.service.finished, timeout=300000):
            assert desk.open_folder(folder) == 6

        def j() -> str:
            with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
                qtbot.keyClick(win, Qt.Key.Key_J)
            qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=5000)
            return str(Path(win.state.path).resolve())

        order = desk.worklist.sorted_files()
        assert j() == str(Path(order[0]).resolve())
        assert j() == str(Path(order[1]).resolve())
        # the analysis "now" finds the last two cases urgent: they sort first, above the
        # reader; J opens both before going on (QA report 33: the reader's next case came
        # between them)
        last, second_last = order[-1], order[-2]
        for f in (last, second_last):
            desk.worklist.rows[f] = {**desk.worklist.rows[f],
                                     "referral": {**desk.worklist.rows[f]["referral"],
                                                  "level": "urgent"}}
        assert set(desk.worklist.sorted_files()[:2]) == {last, second_last}
        late = desk.worklist.sorted_files()[:2]
        assert j() == str(Path(late[0]).resolve())
        assert win.statusBar().currentMessage() == tr("desk.late_flagged")
        assert j() == str(Path(late[1]).resolve())
        last = late[1]
        # then on from where the reader was (not back to the first case, read already)
        order = desk.worklist.sorted_files()
        nxt = order[4]  # order: the two late ones, the two read before, then the next
        assert j() == str(Path(nxt).resolve())

        # the next case's files are deleted: J shows why it cannot be opened, and the next J
        # goes past it instead of trying it again
        order = desk.worklist.sorted_files()
        i = order.index(nxt)
        gone, after = order[i + 1], order[i + 2] if i + 2 < len(order) else None
        for f in Path(gone).parent.glob(Path(gone).stem + ".*"):
            f.unlink()
        with qtbot.waitSignal(win.controller.loadFailed, timeout=30000):
            qtbot.keyClick(win, Qt.Key.Key_J)
        assert desk.current() == gone
        if after is not None:
            assert j() == str(Path(after).resolve())
        # at the end of the worklist, J says so (QA 50: it said the folder had no other ECG
        # files, the folder-browsing message)
        order = desk.worklist.sorted_files()
        while desk.current() != order[-1]:
            qtbot.keyClick(win, Qt.Key.Key_J)
            qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=30000)
        qtbot.keyClick(win, Qt.Key.Key_J)
        assert win.statusBar().currentMessage() == tr("desk.last_case")
        assert tr("desk.last_case", "en") == "This is the last case in the worklist."
    finally:
        win.close()


def test_the_list_follows_a_file_changed_or_deleted_since_the_run(qtbot, tmp_path, monkeypatch,
                                                                  bundled_samples):
    """QA 35: a worklist file overwritten with noise showed 判定不能 in the window while its row
    still read 異常なし and kept its place in the reading order; a deleted one too."""
    import numpy as np

    from ecg_viewer.io import read_ecg

    rec = read_ecg(bundled_samples / "00009_hr.hea")
    n = int(10 * rec.fs_hz)
    folder = tmp_path / "ward"
    folder.mkdir()

    def write(path: Path, sig: np.ndarray) -> None:
        t = np.arange(n) / rec.fs_hz
        np.savetxt(path, np.column_stack([t, *sig]), delimiter=",",
                   header=",".join(["time", *rec.lead_names]), comments="", fmt="%.4f")

    write(folder / "a.csv", rec.signal_mv[:, :n])
    write(folder / "b.csv", rec.signal_mv[:, :n] * 0.9)
    win = main_window(qtbot, monkeypatch, tmp_path / "db")
    desk = win.reading_desk
    try:
        with qtbot.waitSignal(desk.worklist.service.finished, timeout=300000):
            assert desk.open_folder(folder) == 2
        a, b = (desk.worklist.find(str(folder / f)) for f in ("a.csv", "b.csv"))
        before = desk.worklist.rows[a]
        assert "error" not in before and before["referral"]["level"] != "unreadable"
        noise = np.random.default_rng(0).normal(0.0, 2.0, rec.signal_mv[:, :n].shape)
        write(folder / "a.csv", noise)
        with qtbot.waitSignal(win.flow.analysed, timeout=120000):
            desk.open(a)
        row = desk.worklist.rows[a]
        assert row["sha256"] != before["sha256"]
        assert row["referral"]["level"] == win.state.analysis.referral.level == "unreadable"
        (folder / "b.csv").unlink()
        with qtbot.waitSignal(win.controller.loadFailed, timeout=30000):
            desk.open(b)
        assert "error" in desk.worklist.rows[b]
    finally:
        win.close()


def test_j_after_opening_a_lower_row_goes_on_not_back(qtbot, folder, tmp_path, monkeypatch):
    """QA 37: Enter on the third row, then J opened the first row, "placed above by the
    analysis since": nothing had moved, the reader had passed it over on purpose."""
    win = main_window(qtbot, monkeypatch, tmp_path / "db")
    desk = win.reading_desk
    try:
        with qtbot.waitSignal(desk.worklist.service.finished, timeout=300000):
            desk.open_folder(folder)
        order = desk.worklist.sorted_files()
        for f in order[:2]:  # the two rows above are flagged and not reviewed
            desk.worklist.rows[f] = {**desk.worklist.rows[f],
                                     "referral": {**desk.worklist.rows[f]["referral"],
                                                  "level": "urgent"}}
        order = desk.worklist.sorted_files()
        with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
            desk.open(order[2])
        qtbot.waitUntil(lambda: not win.controller.is_loading(), timeout=5000)
        with qtbot.waitSignal(win.controller.loadFinished, timeout=30000):
            qtbot.keyClick(win, Qt.Key.Key_J)
        assert Path(win.state.path).resolve() == Path(order[3]).resolve()
    finally:
        win.close()
