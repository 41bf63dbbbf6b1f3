"""Message texts for validating header numbers, bounded memory, fuzzing (io/).

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "read.not_regular_file": (
        "通常のファイルではありません（{found}）。心電図ファイルを選んでください: {file}",
        "{file} is not a regular file ({found}); choose an ECG file.",
    ),
    "read.bad_header_value": (
        "ヘッダーの数値が不正なため読み込みません: {file}（{field} = {value!r}／想定: {expected}）。"
        "推測で補うことはしません。",
        "Not read: a header value is invalid in {file} ({field} = {value!r}; expected {expected}). "
        "It is never replaced by a guess.",
    ),
    "read.implausible_amplitude": (
        "振幅が生理的にありえない値のため読み込みません: {file}（{lead} 誘導で {peak_mv} mV、"
        "上限 ±{limit_mv} mV）。ヘッダーの較正値（ゲイン・スケール・単位）の誤りが疑われます。",
        "Not read: implausible amplitude in {file} ({peak_mv} mV in lead {lead}; limit "
        "±{limit_mv} mV). The header's calibration (gain, scale or unit) is likely wrong.",
    ),
    "read.too_many_samples": (
        "記録が長すぎてメモリに収まらないため読み込みません: {file}（{n_values} 個のサンプル、"
        "上限 {limit_values} 個）",
        "Not read: the record is too long to fit in memory: {file} ({n_values} samples; "
        "limit {limit_values})",
    ),
    "quality.rate_out_of_range": (
        "サンプリング周波数 {fs_hz:g} Hz では解析できません（解析には {lo_hz:g}〜{hi_hz:g} Hz が必要）",
        "A sampling rate of {fs_hz:g} Hz cannot be analysed (the analysis needs {lo_hz:g}–{hi_hz:g} Hz)",
    ),
    "quality.baseline_wander": (
        "基線の大きな揺れ（最大 {mv:g} mV）がある誘導: {leads}（基線補正フィルタ 0.5 Hz で表示が安定します）",
        "Large baseline wander (up to {mv:g} mV) in lead(s): {leads} (the 0.5 Hz baseline filter "
        "steadies the display)",
    ),
    "quality.device_rate_disagrees": (
        "心拍数 {ours} /分が記録装置の {device} /分と大きく異なるため判定しません（ファイルの"
        "サンプリング周波数 {fs_hz} Hz の記載誤りの疑い）",
        "Not judged: the heart rate of {ours} bpm disagrees with the recording device's "
        "{device} bpm (the file's sampling rate of {fs_hz} Hz is probably wrong)",
    ),
    "quality.device_interval_disagrees": (
        "{what} {ours} ms が記録装置の {device} ms と大きく異なるため判定しません（ファイルの"
        "サンプリング周波数 {fs_hz} Hz の記載誤りの疑い）",
        "Not judged: the {what} of {ours} ms disagrees with the recording device's {device} ms "
        "(the file's sampling rate of {fs_hz} Hz is probably wrong)",
    ),
    "quality.gain_implausible": (
        "QRS の振幅が心臓の電位として大きすぎます（各誘導の QRS 振幅の中央値が {limit_mv} mV 以上）。"
        "ファイルの mV 換算（ゲイン）の誤りの可能性があり、電位の基準（Sokolow–Lyon、Cornell、"
        "低電位）は評価していません。振幅に関わる所見候補（左室肥大など）も参考にしないでください",
        "The QRS is too large for a heart (the median of the leads' amplitudes is {limit_mv} mV "
        "or more): the file's units per mV (gain) are probably wrong. The voltage criteria "
        "(Sokolow–Lyon, Cornell, low voltage) are not assessed; do not rely on suggestions that "
        "rest on amplitude (LVH) either",
    ),
    "quality.limb_leads_inconsistent": (
        "誘導の付け違いの疑い（III ≠ II − I）",
        "Suspected mislabelled leads (III ≠ II − I)",
    ),
    "quality.implausible_amplitude": (
        "振幅が生理的にありえない（±{limit_mv:g} mV を超える、または数値でない）誘導があります: {leads}",
        "Lead(s) with implausible values (beyond ±{limit_mv:g} mV, or not numbers): {leads}",
    ),
}
