"""Message texts for model + criteria fusion, training and evaluation.

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "fusion.missing": (
        "所見候補の統合モデルのファイルが見つかりません: {file}。アプリケーションを再インストールしてください。",
        "The fusion file of the suggestions is missing: {file}. Reinstall the application.",
    ),
    "fusion.hash": (
        "所見候補の統合モデルのファイルが改変されています（ハッシュ不一致）: {file}。"
        "アプリケーションを再インストールしてください。",
        "The fusion file of the suggestions has been altered (hash mismatch): {file}. "
        "Reinstall the application.",
    ),
    "fusion.mismatch": (
        "所見候補の統合モデルの内容がこのバージョンのプログラムと合いません: {detail}",
        "The fusion of the suggestions does not fit this version of the program: {detail}",
    ),
    "evid.derived_name": ("下位所見から導出", "derived from a narrower finding"),
    "evid.derived_from": (
        "下位所見「{label}」（スコア {score}）から導出",
        "derived from the narrower finding {label} (score {score})",
    ),
    "evid.conjunction_name": ("構成する所見", "finding it is made of"),
    "evid.conjunction_of": (
        "「{label}」（スコア {score}）を含む",
        "includes {label} (score {score})",
    ),
}
