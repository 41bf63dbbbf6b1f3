"""`ecg-viewer --lang ja FILE` must win over the language stored from the last run, also when
`main()` is called with its own argv (not the process's sys.argv)."""

from __future__ import annotations

import sys

import pytest

from ecg_viewer import cli
from ecg_viewer.core.messages import language, set_language
from ecg_viewer.gui import launch, notice_area


@pytest.mark.parametrize(("argv", "explicit"), [
    (["--lang", "ja", "a.hea"], True),
    (["--lang", "en", "a.hea"], True),
    (["a.hea"], False),
])  # fmt: skip
def test_explicit_language_reaches_the_window(monkeypatch, argv, explicit) -> None:
    seen = {}
    before = language()  # main() sets the process-wide language: give it back afterwards

    def fake_run_gui(files, explicit_lang=False):
        seen["files"], seen["explicit"] = files, explicit_lang
        return 0

    monkeypatch.setattr(sys, "argv", ["ecg-viewer"])  # nothing to find in the process's argv
    monkeypatch.setattr(cli, "has_display", lambda: True)
    monkeypatch.setattr(launch, "run_gui", fake_run_gui)
    monkeypatch.setattr(notice_area, "install_window_excepthook", lambda: None)
    try:
        assert cli.main(argv) == 0
    finally:
        set_language(before)
    assert seen == {"files": ["a.hea"], "explicit": explicit}
