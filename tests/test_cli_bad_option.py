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
