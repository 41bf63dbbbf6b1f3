"""What the parsing libraries say about a damaged file, in both languages.

A Japanese refusal had carried the library's English as its 「検出」 part (QA 45: 45 of 121),
one of them contradicting the refusal: 「読み込み時の警告（EDF file truncated: header declares 600
data records, only 176 are complete; reading those）」 for a file that is not read. The messages
that say a file is cut short are recognised here and said in the reader's words, with their
numbers; any other library text is kept (in English, as the library wrote it) after a Japanese
lead-in.
"""

from __future__ import annotations

import re

from ecg_viewer.core.messages import Bilingual

_REPEAT_SUFFIX = re.compile(r"(.+)_([2-9]|[1-9]\d+)")
_EDF_RECORDS = re.compile(r"declares (\d+) data records?, only (\d+) (?:are )?complete", re.I)
_BYTES_LEFT = re.compile(r"declares (\d+) bytes?, only (\d+) remain", re.I)
_XML_END = re.compile(r"no element found: line (\d+)", re.I)
_CUT = ("no tag to read at file position", "unexpected end of file", "file truncated",
        "missing sample", "with no waveform data", "no element found")


def cut_short(text: str) -> Bilingual | None:
    """The Bilingual "the file is cut short" for a library message that says so, else None."""
    m = _EDF_RECORDS.search(text)
    if m:
        n, k = m.groups()
        return Bilingual(f"ファイルが途中で切れています（ヘッダーの宣言 {n} レコードのうち完全なものは {k}）",
                         f"the file is cut short (its header declares {n} data records, "
                         f"{k} are complete)")
    m = _BYTES_LEFT.search(text)
    if m:
        n, k = m.groups()
        return Bilingual(f"ファイルが途中で切れています（{n} バイトの宣言に対し残り {k} バイト）",
                         f"the file is cut short ({n} bytes declared, {k} left)")
    m = _XML_END.search(text)
    if m:
        return Bilingual(f"ファイルが途中で終わっています（XML が {m.group(1)} 行目で途切れている）",
                         f"the file ends early (the XML stops at line {m.group(1)})")
    if any(p in text.lower() for p in _CUT):
        return Bilingual("ファイルが途中で切れています（データが途中で終わっている）",
                         "the file is cut short (its data ends early)")
    return None


def library_said(lead_ja: str, text: str) -> Bilingual:
    """A library's message: in the reader's words when it says the file is cut short, else
    ``lead_ja``（the library's text）/ the library's text."""
    return cut_short(text) or Bilingual(f"{lead_ja}（{text}）", text)


def label_before_renaming(labels: list[str], i: int) -> str:
    """``labels[i]`` without the suffix ecgdatakit's ``unique_labels`` gives a repeated label
    (``V2_2`` after a ``V2``), so that a lead the file names twice keeps its name: the record
    then stores it as ``V2#2`` with the original ``V2`` and the quality gate names the duplicate."""
    m = _REPEAT_SUFFIX.fullmatch(labels[i])
    return m.group(1) if m and m.group(1) in labels[:i] else labels[i]
