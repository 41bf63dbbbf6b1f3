"""The one message table: every text a clinician reads, in Japanese (default) and English.

Keys are grouped by area with a prefix (``read.``, ``ui.``, ``model.`` ...). Look texts up with
:func:`tr`; parameters are filled with ``str.format``. Logs stay English and do not use this table.
"""

from __future__ import annotations

_LANG = "ja"
SUPPORTED_LANGUAGES = ("ja", "en")

# key -> (Japanese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    # --- reading files -------------------------------------------------------------------
    "read.not_found": (
        "ファイルが見つかりません: {file}",
        "File not found: {file}",
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
    "read.derived_leads": (
        "I・II 誘導から計算した誘導: {leads}",
        "Leads computed from I and II: {leads}",
    ),
    # --- command line ----------------------------------------------------------------------
    "cli.no_display": (
        "画面（ディスプレイ）が見つからないため、ビューアを開けません。"
        "DISPLAY を設定するか、`ecg-viewer info ファイル` などのコマンドを使ってください。",
        "No display found, so the viewer cannot open. Set DISPLAY, or use a command such as "
        "`ecg-viewer info FILE`.",
    ),
    "cli.no_gui": (
        "ビューアはまだ組み込まれていません。`ecg-viewer info ファイル` を使ってください。",
        "The viewer is not available in this build; use `ecg-viewer info FILE`.",
    ),
    # --- model (ECG-text model, Predictor, weights, text encoder) ---------------------------
    "model.missing_leads": (
        "AI 所見候補には標準 12 誘導が必要ですが、この記録には次の誘導がありません: {leads}。"
        "12 誘導の記録で再度お試しください。",
        "The AI suggestions need the standard 12 leads; this record lacks: {leads}. "
        "Use a 12-lead recording.",
    ),
    "model.too_short": (
        "記録が短すぎるため AI 所見候補を出せません（{duration_s:.1f} 秒、必要: {min_s:.0f} 秒以上）。",
        "The record is too short for the AI suggestions ({duration_s:.1f} s; needs at least {min_s:.0f} s).",
    ),
    "model.bad_signal": (
        "波形に数値でない値（NaN など）が含まれるため AI 所見候補を出せません: {leads}",
        "The waveform contains non-numeric values (NaN etc.), so no AI suggestions: {leads}",
    ),
    "model.weights_missing": (
        "学習済みモデルのファイルが見つかりません: {file}。アプリケーションを再インストールしてください。",
        "A model weights file is missing: {file}. Reinstall the application.",
    ),
    "model.weights_hash": (
        "学習済みモデルのファイルが改変されています（ハッシュ不一致）: {file}。"
        "アプリケーションを再インストールしてください。",
        "A model weights file has been altered (hash mismatch): {file}. Reinstall the application.",
    ),
    "model.weights_mismatch": (
        "学習済みモデルの内容がこのバージョンのプログラムと合いません: {detail}",
        "The model weights do not fit this version of the program: {detail}",
    ),
    "model.catalog_mismatch": (
        "ラベル一覧（{catalog_version}）とモデルのラベル埋め込み（{weights_version}）が一致しません。"
        "`ecg-viewer embed-labels` でラベル埋め込みを作り直してください。",
        "The label catalog ({catalog_version}) and the model's label embeddings "
        "({weights_version}) differ; run `ecg-viewer embed-labels`.",
    ),
    "model.text_encoder_unavailable": (
        "テキストエンコーダを準備できません: {detail}",
        "The text encoder cannot be prepared: {detail}",
    ),
    "model.text_encoder_dim": (
        "テキストエンコーダの次元（{found}）がモデルの学習時（{expected}）と異なります。"
        "このテキストエンコーダで使うにはモデルの再学習が必要です。",
        "The text encoder's dimension ({found}) differs from the one the model was trained with "
        "({expected}); the model must be retrained for this text encoder.",
    ),
    "model.empty_query": (
        "検索する所見の文字列が空です。",
        "The finding text to search for is empty.",
    ),
    "model.no_cuda": (
        "GPU（CUDA）が使えないため CPU で計算します。",
        "CUDA is not available; computing on the CPU.",
    ),
    # --- safety notice (shown in the window and printed on every report) --------------------
    "safety.notice": (
        "表示される所見候補は AI による参考情報であり、診断ではありません。"
        "最終的な判断は必ず医師が心電図を読んで行ってください。",
        "The suggested findings are AI-generated reference information, not a diagnosis. "
        "A physician must read the ECG and make the final decision.",
    ),
}


def set_language(lang: str) -> None:
    """Switch the language of :func:`tr` (``"ja"`` or ``"en"``)."""
    global _LANG
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"language must be one of {SUPPORTED_LANGUAGES}, got {lang!r}")
    _LANG = lang


def language() -> str:
    return _LANG


def tr(key: str, lang: str | None = None, **params: object) -> str:
    """The text for ``key`` in ``lang`` (default: the current language), parameters filled in."""
    try:
        ja, en = MESSAGES[key]
    except KeyError:
        raise KeyError(f"message key {key!r} is not in the message table") from None
    text = en if (lang or _LANG) == "en" else ja
    return text.format(**params) if params else text
