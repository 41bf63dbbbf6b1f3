"""``--help`` in the language of the messages (session 23: every command's help was English in
Japanese mode, the default): argparse's headings, -h itself and each user command's options,
wrapped by terminal columns (argparse counts characters, so Japanese lines ran twice as wide)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from ecg_viewer.cli import _build_parser, available_commands, main, wrap_columns
from ecg_viewer.core.messages import set_language

CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
USER_COMMANDS = ("info", "render", "analyze", "report", "batch", "audit")


def _cols(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _help(argv: list[str], capsys, monkeypatch) -> str:
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as stop:
        main([*argv, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


@pytest.fixture(autouse=True)
def _japanese():
    set_language("ja")
    yield
    set_language("ja")


@pytest.mark.parametrize("command", [None, *USER_COMMANDS])
def test_help_is_japanese_by_default_and_english_with_lang_en(command, capsys,
                                                              monkeypatch) -> None:
    argv = [] if command is None else [command]
    ja = _help(argv, capsys, monkeypatch)
    assert ja.startswith("使い方: ecg-viewer"), ja[:80]
    assert "オプション:" in ja and "この説明を表示して終了" in ja
    for english in ("usage:", "options:", "show this help", "positional arguments"):
        assert english not in ja, english
    # every option's line (an option, then its description) says it in Japanese
    for block in re.split(r"\n  (?=-)", ja.split("オプション:", 1)[1])[1:]:
        assert CJK.search(block), block
    for line in ja.splitlines():  # wrapped to the terminal's 80 columns
        assert _cols(line) <= 82, line
    en = _help(["--lang", "en", *argv], capsys, monkeypatch)
    assert en.startswith("usage: ecg-viewer") and "options:" in en
    assert not CJK.search(en), CJK.findall(en)


def test_report_help_names_what_each_option_does(capsys, monkeypatch) -> None:
    ja = _help(["report"], capsys, monkeypatch)
    for text in ("作成する PDF レポート", "FHIR R4 Bundle（JSON）も作成", "紙送り速度 mm/s（既定 25）",
                 "医師の確認をレポートに含めない", "同梱のモデル", "AI の所見候補なし"):
        assert text in " ".join(ja.split()).replace("\n", ""), text
    top = _help([], capsys, monkeypatch)
    assert "候補であり、診断ではありません" in top.replace("\n", "")


def test_developer_commands_say_their_options_are_english(capsys, monkeypatch) -> None:
    for command in ("train", "evaluate", "embed-labels"):
        if command not in available_commands():
            continue
        ja = _help([command], capsys, monkeypatch)
        assert ja.startswith("使い方:") and "オプションの説明は英語です" in ja.replace("\n", "")


def test_every_user_option_has_a_description() -> None:
    parser = _build_parser([c for c in USER_COMMANDS if c in available_commands()])
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        for action in p._actions:
            assert action.help, f"{name} {action.option_strings or action.dest}"


def test_wrap_columns_counts_full_width_characters_and_keeps_brackets() -> None:
    text = "前回心電図との比較: ファイル、'auto'（既定: 同じフォルダの最新の心電図）または 'none'"
    lines = wrap_columns(text, 20)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(_cols(line) <= 22 for line in lines), lines
    assert not any(line[0] in "、。）」" for line in lines), lines
    assert not any(line[-1] in "（「" for line in lines), lines  # nor an opening one at the end
    assert wrap_columns("あいうえお（かきくけこ）", 10) == ["あいうえお", "（かきくけ", "こ）"]
    assert wrap_columns("あいうえ（かきくけ）", 10) == ["あいうえ", "（かきくけ）"]  # 「（」 goes down
    assert wrap_columns("one JSON object per file (JSON Lines)", 16) == [
        "one JSON object", "per file (JSON", "Lines)"]
    assert wrap_columns("supercalifragilistic word", 10) == ["supercalifragilistic", "word"]


def test_text_model_before_a_command_is_checked(bundled_samples, capsys) -> None:
    """QA 42: ``--text-model /nonexistent info FILE`` was accepted without a word."""
    assert main(["--text-model", "/nonexistent/encoder", "info",
                 str(bundled_samples / "E07509.hea")]) == 2
    assert "--text-model /nonexistent/encoder: フォルダがありません" in capsys.readouterr().err


def test_batch_help_gives_the_rows_and_the_exit_codes(capsys, monkeypatch) -> None:
    """QA 73: `batch --help` did not say what the exit codes mean (0 even with unreadable
    files); the command list keeps its one line."""
    monkeypatch.setattr("sys.argv", ["ecg-viewer"])
    for lang, words in (("ja", ("終了コード 0", "130: 中断", "患者 ID")),
                        ("en", ("Exit 0", "130: stopped", "patient ID"))):
        with pytest.raises(SystemExit):
            main(["batch", "--help", "--lang", lang])
        text = " ".join(capsys.readouterr().out.split())
        assert all(w in text for w in words), (lang, text)
    with pytest.raises(SystemExit):
        main(["--help"])
    listing = capsys.readouterr().out
    assert "終了コード" not in listing
