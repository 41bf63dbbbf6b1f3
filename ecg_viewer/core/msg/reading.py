"""Message texts for reading files (io/).

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- reading files -------------------------------------------------------------------
    "read.not_found": (
        "ファイルが見つかりません: {file}",
        "File not found: {file}",
    ),
    "read.broken_link": (
        "リンク先のファイルがありません（リンク切れ）: {file}（{found}）",
        "The file this link points to is missing (broken link): {file} ({found})",
    ),
    "read.is_directory": (
        "フォルダが指定されました。心電図ファイルを選んでください: {file}",
        "{file} is a folder; choose an ECG file.",
    ),
    "read.empty": (
        "ファイルが空です（0 バイト）: {file}",
        "The file is empty (0 bytes): {file}",
    ),
    "read.too_large": (
        "ファイルが大きすぎます（{size_mb:.0f} MB、上限 {limit_mb:.0f} MB）: {file}",
        "The file is too large ({size_mb:.0f} MB; limit {limit_mb:.0f} MB): {file}",
    ),
    "read.unsupported": (
        "対応していないファイル形式です: {file}（{found}）。対応形式: {expected}",
        "Unsupported file format: {file} ({found}). Supported: {expected}",
    ),
    "read.corrupt": (
        "ファイルが壊れているか、{format} 形式として読めません: {file}（検出: {found}／想定: {expected}）",
        "The file is damaged or cannot be read as {format}: {file} (found {found}; expected {expected})",
    ),
    "read.no_waveform": (
        "波形データが含まれていません: {file}（検出: {found}／想定: {expected}）",
        "The file contains no waveform: {file} (found {found}; expected {expected})",
    ),
    "read.bad_signal": (
        "波形データに異常があります: {file}（検出: {found}／想定: {expected}）",
        "The waveform data is invalid: {file} (found {found}; expected {expected})",
    ),
    "read.permission": (
        "ファイルを読む権限がありません: {file}",
        "No permission to read {file}",
    ),
    "read.csv_needs_rate": (
        "CSV にサンプリング周波数がありません: {file}。"
        "fs_hz 列を加えるか、サンプリング周波数（Hz）を指定してください。",
        "The CSV has no sampling rate: {file}. Add an fs_hz column or give the rate in Hz.",
    ),
    "read.missing_leads": (
        "この記録にない誘導: {leads}",
        "Leads not in this record: {leads}",
    ),
    "read.name_unreadable": (
        "（氏名を判読できません: 文字コード不明）",
        "(name unreadable: unknown character set)",
    ),
    "read.derived_leads": (
        "I・II 誘導から計算した誘導: {leads}",
        "Leads computed from I and II: {leads}",
    ),
}
