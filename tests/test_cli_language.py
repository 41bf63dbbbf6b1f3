"""The command line in the chosen language (QA 2026-12-06): `info` was English in Japanese mode,
option and usage errors half English, an unknown command answered "no display found", the
heading of the suggestions said "top 5" above nine rows, and /proc read as a missing folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecg_viewer.cli import main

CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_info_speaks_japanese_and_english(samples: Path, capsys) -> None:
    f = samples / "philips_xml" / "129DYPRG.xml"
    assert main(["info", str(f)]) == 0
    ja = capsys.readouterr().out
    for text in ("形式:", "サンプリング周波数: 500 Hz", "記録時間:", "10.00 秒（5000 サンプル）",
                 "振幅の範囲（mV）:", "（ファイル上: V1, uV）", "性別:", "男性", "50 歳",
                 "装置のフィルタ: 基線補正 0.05 Hz、高域遮断 150 Hz",
                 "記録装置の計測値: 心拍数 41 /分、PR 151 ms、QRS 135 ms", "- >>> Acute MI <<<"):
        assert text in ja, text
    assert "rate:" not in ja and "{'" not in ja  # no English heads, no Python dicts
    assert main(["--lang", "en", "info", str(f)]) == 0
    en = capsys.readouterr().out
    assert "rate:" in en and "Device filters: HP 0.05 Hz; LP 150 Hz" in en
    assert "heart rate 41 bpm" in en and not CJK.search(en), CJK.findall(en)


@pytest.mark.parametrize("argv, ja, en", [
    (["report", "{f}"], "次の引数が必要です: --out", "the following arguments are required: --out"),
    (["analyze", "--top", "abc", "{f}"], "--top: 値として読めません「abc」",
     "--top: invalid value 'abc'"),
    (["render", "{f}", "--out", "x.png", "--layout", "5"], "--layout: 選べない値「5」",
     "--layout: invalid choice '5'"),
])
def test_usage_errors_are_said_in_the_chosen_language(bundled_samples: Path, capsys, argv, ja,
                                                     en) -> None:
    argv = [a.replace("{f}", str(bundled_samples / "00017_hr.hea")) for a in argv]
    for lang, text, head in (("ja", ja, "コマンドの指定が正しくありません"),
                             ("en", en, "Invalid command line")):
        with pytest.raises(SystemExit) as stop:
            main(["--lang", lang, *argv])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert head in err and text in err, err
    # "--lang=en" as argparse itself accepts it (QA 34: the error was said in Japanese)
    from ecg_viewer.core.messages import set_language

    set_language("ja")
    with pytest.raises(SystemExit):
        main(["--lang=en", *argv])
    err = capsys.readouterr().err
    assert "Invalid command line" in err and en in err, err


@pytest.mark.parametrize("argv, ja, en", [
    (["report", "{f}", "--out", "{tmp}/r.pdf", "--lowpass", "33"],
     "--lowpass 33: 使える値は 40, 100, 150 です", "--lowpass 33: use one of 40, 100, 150"),
    (["render", "{f}", "--out", "{tmp}/r.png", "--layout", "1", "--lead", "V9"],
     "--lead V9: この記録の誘導は", "--lead V9: this record has"),
    (["render", "{f}", "--out", "{tmp}/r.png", "--filter", "foo"], "不明なフィルタ「foo」",
     "unknown filter 'foo'"),
    (["render", "{f}", "--out", "{tmp}/r.png", "--start", "100"], "記録の長さは 10.0 秒です",
     "the record is 10.0 s long"),
])
def test_option_values_are_refused_in_the_chosen_language(bundled_samples: Path, tmp_path: Path,
                                                          capsys, argv, ja, en) -> None:
    argv = [a.replace("{f}", str(bundled_samples / "00017_hr.hea")).replace("{tmp}", str(tmp_path))
            for a in argv]
    assert main(["--lang", "ja", *argv]) == 2
    err = capsys.readouterr().err
    assert ja in err and "this record" not in err and "must be one of" not in err, err
    assert main(["--lang", "en", *argv]) == 2
    err = capsys.readouterr().err
    assert en in err and not CJK.search(err), err


def test_an_unknown_command_is_named_as_such(capsys) -> None:
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert "「frobnicate」はコマンドでもファイルでもありません" in err and "analyze" in err


def test_the_heading_counts_the_rows_it_heads(bundled_samples: Path, capsys) -> None:
    assert main(["analyze", "--top", "2", str(bundled_samples / "E07509.hea")]) == 0
    out = capsys.readouterr().out.splitlines()
    head = next(i for i, ln in enumerate(out) if ln.startswith("所見候補"))
    rows = [ln for ln in out[head + 1:] if ln.startswith((" * ", "   "))
            and not ln.startswith("      ")]
    if len(rows) > 2:
        assert f"計 {len(rows)} 件" in out[head], out[head]
    else:
        assert out[head].startswith("所見候補（上位 2）")


def test_a_folder_where_nothing_can_be_written_is_not_called_missing(bundled_samples: Path,
                                                                     capsys) -> None:
    if not Path("/proc").is_dir():
        pytest.fail("this test needs Linux's /proc")
    assert main(["report", str(bundled_samples / "00017_hr.hea"), "--out", "/proc/x.pdf",
                 "--no-review", "--prior", "none", "--no-model"]) != 0
    err = capsys.readouterr().err
    assert "書き込めません" in err and "フォルダがありません" not in err, err


def test_batch_says_an_unreadable_header_once_in_the_readers_language(bundled_samples: Path,
                                                                     tmp_path: Path) -> None:
    """QA 40: an English log line about an empty .hea came twice (once per listing) before the
    file's own Japanese error line on a Japanese terminal."""
    import os
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.hea").write_bytes(b"")
    for f in bundled_samples.glob("E07509.*"):
        shutil.copy2(f, folder / f.name)
    env = {**os.environ, "ECG_VIEWER_DATA_DIR": str(tmp_path / "db")}
    run = subprocess.run([sys.executable, "-m", "ecg_viewer", "batch", str(folder), "--out",
                          str(tmp_path / "r.csv"), "--no-progress", "--no-model"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr  # an unreadable file is a row, not a failed run
    lines = [ln for ln in run.stderr.splitlines() if "empty.hea" in ln]
    assert len(lines) == 1 and "ファイルが空です" in lines[0], run.stderr
    assert "WARNING" not in run.stderr


def test_os_error_reasons_are_said_in_the_chosen_language(bundled_samples: Path, tmp_path: Path,
                                                          capsys) -> None:
    """QA 51: `batch --out /proc/x.jsonl` ended 「…（No such file or directory）」 in Japanese;
    the reason of an OS error comes from the message table (English as the system says it)."""
    import shutil

    from ecg_viewer.core.errors import user_message
    from ecg_viewer.core.messages import set_language

    if not Path("/proc").is_dir():
        pytest.fail("this test needs Linux's /proc")
    folder = tmp_path / "in"
    folder.mkdir()
    for f in bundled_samples.glob("E07509.*"):
        shutil.copy2(f, folder / f.name)
    try:
        for lang, reason in (("ja", "（ファイルまたはフォルダーがありません）"),
                             ("en", " (No such file or directory)")):
            assert main(["--lang", lang, "batch", str(folder), "--out", "/proc/x.jsonl",
                         "--no-progress", "--no-model"]) == 1
            err = capsys.readouterr().err
            assert "/proc/x.jsonl" + reason in err, err
        try:
            open(tmp_path / "missing.txt", "rb")
        except OSError as exc:
            assert "ファイルまたはフォルダーがありません" in user_message(exc, "ja")
            assert "No such file or directory" in user_message(exc, "en")
    finally:
        set_language("ja")
