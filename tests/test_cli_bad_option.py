"""A bad option value is framed by a message of the table (in the user's language), not a bare
exception text."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_whole_number_options_below_their_minimum_are_usage_errors(
        bundled_samples: Path, tmp_path: Path, capsys) -> None:
    """QA 51: `analyze --top -3` printed all 112 suggestions; `batch --workers -1` ran as 0.
    Both are argparse usage errors (exit 2), said in the chosen language."""
    ecg = str(next(iter(sorted(bundled_samples.glob("*.hea")))))
    before = language()
    try:
        for argv, ja, en in (
                (["analyze", ecg, "--no-model", "--top", "-3"],
                 "--top -3: 1 以上を指定してください", "--top -3: use 1 or more"),
                (["analyze", ecg, "--no-model", "--top=0"],
                 "--top 0: 1 以上を指定してください", "--top 0: use 1 or more"),
                (["batch", str(tmp_path), "--out", str(tmp_path / "r.jsonl"), "--workers", "-1"],
                 "--workers -1: 0 以上を指定してください", "--workers -1: use 0 or more")):
            for lang, said in (("ja", ja), ("en", en)):
                with pytest.raises(SystemExit) as stop:
                    cli.main(["--lang", lang, *argv])
                err = capsys.readouterr().err
                assert stop.value.code == 2 and said in err, err
        assert not (tmp_path / "r.jsonl").exists()
        out = capsys.readouterr().out
        assert out == ""
    finally:
        set_language(before)
