"""QA 67 finding 4: quitting in reading mode (F11) lost the Review, Criteria and Median-beat docks
at the next start: the window saved its dock layout while reading mode had them hidden, and the
next start (reading mode off) restored them hidden, with nothing to say where they went.

The real window under Xvfb at 1366x768, one profile for two runs: the first enters reading mode
and quits; the second has the docks of a normal start. Skipped with a reason when Xvfb is not
installed."""

from __future__ import annotations

from tests.xvfb_server import window_env, window_state, write_window_script, xvfb_display

SCRIPT = """
    from PySide6.QtWidgets import QDockWidget

    sample, reading = sys.argv[1], sys.argv[2] == "reading"
    win.show()
    win.controller.open_file(sample)
    pump(2.0)
    docks = lambda: {d.objectName(): not d.isHidden() for d in win.findChildren(QDockWidget)}
    out = {"docks": docks(), "reading": win.reading_mode.on}
    if reading:
        win.reading_mode.toggle()  # F11
        pump(0.5)
        out["in_reading"] = docks()
    print("STATE " + json.dumps(out), flush=True)
    win.close()
    pump(0.5)
"""


def test_quitting_in_reading_mode_keeps_the_docks_for_the_next_start(tmp_path, bundled_samples):
    with xvfb_display(1366, 768, dpi=96) as display:
        env = window_env(display, tmp_path)
        script = write_window_script(tmp_path / "reading.py", SCRIPT)
        sample = bundled_samples / "E07509.hea"
        first = window_state(env, script, sample, "reading")
        second = window_state(env, script, sample, "-")
    shown = {k for k, v in first["docks"].items() if v}
    assert {"review_dock", "criteria_dock", "median_beat_dock"} <= shown, first
    assert not any(first["in_reading"].values()), first  # reading mode hid them
    assert not second["reading"], second
    assert {k for k, v in second["docks"].items() if v} == shown, (first, second)
