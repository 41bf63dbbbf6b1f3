"""A bad option value is framed by a message of the table (in the user's language), not a bare
exception text."""

from __future__ import annotations

from pathlib import Path

from ecg_viewer import cli
from ecg_viewer.core.messages import language, set_language, tr


def test_bad_filter_and_speed_are_reported_in_the_language(bundled_samples: Path, tmp_path: Path,
                                                           capsys) -> None:
    ecg = next(iter(sorted(bundled_samples.glob("*.hea"))))
    before = language()
    try:
        rc = cli.main(["render", str(ecg), "--out", str(tmp_path / "x.png"), "--filter", "zz"])
        err = capsys.readouterr().err
        assert rc == 2 and tr("cli.bad_option", "ja", detail="").split(":")[0] in err
        rc = cli.main(["--lang", "en", "report", str(ecg), "--out", str(tmp_path / "r.pdf"),
                       "--speed", "-5", "--no-model"])
        err = capsys.readouterr().err
        assert rc == 2 and err.startswith("Invalid option value:")
    finally:
        set_language(before)


def test_lang_after_the_command_too(bundled_samples: Path, tmp_path: Path, capsys) -> None:
    """`ecg-viewer analyze --lang en FILE` as well as `ecg-viewer --lang en analyze FILE`; a
    --lang before the command stays when none follows it."""
    ecg = next(iter(sorted(bundled_samples.glob("*.hea"))))
    before = language()
    try:
        bad = str(tmp_path / "missing.hea")
        assert cli.main(["analyze", "--lang", "en", "--no-model", bad]) != 0
        assert language() == "en"
        set_language("ja")
        assert cli.main(["--lang", "en", "render", str(ecg), "--out", str(tmp_path / "x.png"),
                         "--filter", "zz"]) == 2
        assert capsys.readouterr().err.count("Invalid option value:") == 1
        assert language() == "en"
    finally:
        set_language(before)
