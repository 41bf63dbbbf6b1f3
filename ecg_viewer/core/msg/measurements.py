"""Message texts for measurements, fiducials and their confidence (signal/).

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "meas.no_readable_lead": (
        "判読できる誘導がないため計測していません（信号品質不良）",
        "Not measured: no lead is readable (poor signal quality)",
    ),
    "meas.conf_low_rate": (
        "サンプリング周波数が 100 Hz 未満のため、参考値です（QRS などの波形が鈍って幅広く計測されます）",
        "Low confidence: the sampling rate is under 100 Hz (the QRS and the other waves are "
        "blunted and read wider)",
    ),
    "meas.conf_device_rate": (
        "記録装置の計測値（心拍数、QT または QRS）と大きく異なるため、参考値です（サンプリング周波数の記載誤りの可能性）",
        "Low confidence: the heart rate, the QT or the QRS disagrees with the recording device's (the "
        "file's sampling rate may be wrong)",
    ),
    "meas.conf_quality": (
        "信号品質不良の誘導から計測したため、参考値です",
        "Low confidence: measured from leads the quality check rejects",
    ),
    "meas.conf_beats": (
        "拍ごとのばらつきが大きく、信頼度が低い値です",
        "Low confidence: the value differs between groups of beats",
    ),
    "meas.conf_missing": (
        "一部の拍では測定できず、信頼度が低い値です",
        "Low confidence: some of the beats do not show this interval",
    ),
    "meas.conf_few_beats": (
        "拍数が少なく、信頼度が低い値です",
        "Low confidence: too few beats to check the value",
    ),
    "meas.conf_few_leads": (
        "標準誘導の一部しかなく（独立 8 誘導のうち 6 未満）、12 誘導の全体値より短く出やすいため、信頼度が低い値です",
        "Low confidence: measured on fewer than 6 of the 8 independent standard leads, so it"
        " tends to read shorter than the 12-lead global value",
    ),
    "meas.conf_p_groups": (
        "一部の拍群では P 波が見られず、P 波の有無の信頼度が低い値です",
        "Low confidence: some groups of beats show no P wave",
    ),
    "meas.conf_one_rr": (
        "RR 間隔が 1 つしかなく、信頼度が低い値です",
        "Low confidence: only one RR interval",
    ),
    "meas.conf_low_t": (
        "T波が低く平坦なため、T波終末（QT）の信頼度が低い値です",
        "Low confidence: the T wave is low and flat, so its end (QT) is uncertain",
    ),
    "meas.conf_qt_implausible": (
        "心拍数に対してQTが長すぎる（または幅広いQRSでT波が区別できない）ため、信頼度が低い値です",
        "Low confidence: the QT is implausible for the rate (or a wide QRS leaves no distinct T wave)",
    ),
    "meas.conf_qrs_implausible": (
        "QRSが心周期の大半を占め（ST部分とT波の余地がない）、QRS幅の信頼度が低い値です",
        "Low confidence: the QRS fills most of the cardiac cycle (no room for the ST segment and"
        " the T wave), so its width is uncertain",
    ),
    "meas.conf_p_onset_edge": (
        "P波の始まりが探索範囲の端（QRSの320 ms前、または先行T波の終わり）にあり、PRの信頼度が低い値です",
        "Low confidence: the P onset lies at the edge of its search window (320 ms before the QRS,"
        " or the previous T end), so the PR is uncertain",
    ),
    "meas.conf_label": ("信頼度", "confidence"),
    "meas.conf_low_mark": ("参考値", "low confidence"),  # in parentheses (core.messages.paren)
    "referral.rule.qtc_modified_very_long": (
        "QRS幅で補正したQTc（Bogossian）{value:.0f} ms：500 ms 以上（QRS 120 ms 以上）",
        "QTc modified for the QRS width (Bogossian) {value:.0f} ms: 500 ms or more (QRS 120 ms "
        "or more)",
    ),
    "referral.rule.qtc_modified_long": (
        "QRS幅で補正したQTc（Bogossian）{value:.0f} ms：QT延長（460 ms 以上、QRS 120 ms 以上）",
        "QTc modified for the QRS width (Bogossian) {value:.0f} ms: long QT (460 ms or more, "
        "QRS 120 ms or more)",
    ),
    "meas.qtc_modified_short": ("QTc(QRS補正)", "QTc(QRS-adj.)"),
    "ui.meas.qtc_modified": (
        "（QRS幅補正QTc {value:.0f} ms）",
        " (QRS-adjusted QTc {value:.0f} ms)",
    ),
    "ui.meas.qtc_modified_tip": (
        "QRS 120 ms 以上のため、QT延長の判定には QRS 幅で補正した QTc（Bogossian 2014: QT − 0.485 × QRS、"
        "Fridericia 補正）を使います。",
        "With a QRS of 120 ms or more, long QT is judged on the QTc modified for the QRS width "
        "(Bogossian 2014: QT − 0.485 × QRS, Fridericia-corrected).",
    ),
}
