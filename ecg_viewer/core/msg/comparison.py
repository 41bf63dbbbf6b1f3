"""Message texts for the comparison with the patient's prior ECG.

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "compare.rules_invalid": (
        "比較ルール表を読めません: {file}（{problem}）",
        "The comparison rule table cannot be used: {file} ({problem})",
    ),
    # measurement changes (filled with label, unit, prior, current, change)
    "compare.rule.hr_change": (
        "心拍数 {change:+.0f} /分（前回 {prior:.0f} → 今回 {current:.0f} /分）",
        "Heart rate {change:+.0f} bpm ({prior:.0f} → {current:.0f} bpm)",
    ),
    "compare.rule.pr_up": (
        "PR間隔が前回より {change:+.0f} ms 延長（{prior:.0f} → {current:.0f} ms）",
        "PR {change:+.0f} ms since prior ({prior:.0f} → {current:.0f} ms)",
    ),
    "compare.rule.qrs_up": (
        "QRS幅が前回より {change:+.0f} ms 延長（{prior:.0f} → {current:.0f} ms）",
        "QRS {change:+.0f} ms since prior ({prior:.0f} → {current:.0f} ms)",
    ),
    "compare.rule.qt_up": (
        "QT間隔が前回より {change:+.0f} ms 延長（{prior:.0f} → {current:.0f} ms）",
        "QT {change:+.0f} ms since prior ({prior:.0f} → {current:.0f} ms)",
    ),
    "compare.rule.qtc_up": (
        "{label}が前回より {change:+.0f} ms 延長（{prior:.0f} → {current:.0f} ms）",
        "{label} {change:+.0f} ms since prior ({prior:.0f} → {current:.0f} ms)",
    ),
    "compare.rule.axis_shift": (
        "{label}が前回より {change:+.0f}° 変化（{prior:+.0f}° → {current:+.0f}°）",
        "{label} shifted {change:+.0f}° ({prior:+.0f}° → {current:+.0f}°)",
    ),
    "compare.axis.left": (
        "新たな左軸偏位（QRS軸 {prior:+.0f}° → {current:+.0f}°）",
        "New left axis deviation (QRS axis {prior:+.0f}° → {current:+.0f}°)",
    ),
    "compare.axis.right": (
        "新たな右軸偏位（QRS軸 {prior:+.0f}° → {current:+.0f}°）",
        "New right axis deviation (QRS axis {prior:+.0f}° → {current:+.0f}°)",
    ),
    "compare.axis.extreme": (
        "新たな高度軸偏位（北西軸; QRS軸 {prior:+.0f}° → {current:+.0f}°）",
        "New extreme axis deviation (QRS axis {prior:+.0f}° → {current:+.0f}°)",
    ),
    "compare.new_finding": (
        "前回心電図（{date}）になかった所見: {label}",
        "New since the prior ECG ({date}): {label}",
    ),
    # summary lines
    "compare.prior_line": ("前回心電図: {date}（{days}）", "Prior ECG: {date} ({days})"),
    "compare.days": ("{n} 日前", "{n} days earlier"),
    "compare.day": ("1 日前", "1 day earlier"),
    "compare.hours": ("{n} 時間前", "{n} hours earlier"),
    "compare.hour": ("1 時間前", "1 hour earlier"),
    "compare.within_hour": ("同日・1 時間以内", "same day, within the hour"),
    "compare.time_unknown": ("記録日時不明", "time unknown"),
    "compare.prior_line_undated": ("前回心電図: 記録日時不明", "Prior ECG: recording time unknown"),
    "compare.days_unknown": ("記録日時不明", "recording time unknown"),
    "compare.new_list": ("新規所見: {labels}", "New findings: {labels}"),
    "compare.resolved_list": ("消失: {labels}", "Resolved: {labels}"),
    "compare.low_but_large": ("参考値（信頼度が低い計測）の大きな変化: {items}",
                              "Large changes of low-confidence values (for reference): {items}"),
    "compare.status_resolved": (
        "前回比較: 新規所見 {new} 件・消失 {resolved} 件・基準超の変化 {marked} 項目",
        "Prior ECG: new findings {new}, resolved {resolved}, changes beyond threshold {marked}"),
    "compare.status": ("前回比較: 新規所見 {new} 件・基準超の変化 {marked} 項目",
                       "Prior ECG: new findings {new}, changes beyond threshold {marked}"),
    "compare.status_none": ("前回比較: 基準を超える変化・新規所見なし",
                            "Prior ECG: no new finding, no change beyond the thresholds"),
    "compare.status_no_findings": (
        "前回比較: 基準超の変化 {marked} 項目・所見は比較できません",
        "Prior ECG: changes beyond threshold {marked}; findings not compared"),
    "compare.status_not_comparable": (
        "前回比較: 判定不能の心電図のため比較できません",
        "Prior ECG: not compared (an ECG could not be analysed)"),
    "compare.prior_unreadable_analysis": (
        "前回心電図は判定不能（解析できない記録）のため比較できません。変化の数値は参考値です",
        "The prior ECG could not be analysed, so the ECGs were not compared; the changes shown "
        "are for reference only",
    ),
    "compare.current_unreadable_analysis": (
        "今回の心電図は判定不能（解析できない記録）のため比較できません。変化の数値は参考値です",
        "This ECG could not be analysed, so the ECGs were not compared; the changes shown are "
        "for reference only",
    ),
    "compare.no_change_beyond": ("基準を超える変化はありません", "No change beyond the thresholds"),
    "compare.status_tip": ("クリックすると前回心電図との比較を開きます", "Click to open the comparison"),
    "compare.no_significant_change": (
        "基準を超える変化・新規所見はありません", "No change beyond the thresholds, no new finding"),
    "compare.notice": (
        "前回心電図との比較はAIと自動計測による提案です。最終判断は医師が行ってください。",
        "The comparison with the prior ECG is a suggestion from the AI and the automatic "
        "measurements, not a diagnosis.",
    ),
    # matching
    "compare.match.folder": ("同じフォルダ内で自動照合", "matched automatically in the same folder"),
    "compare.match.worklist": ("作業リストの別のフォルダから自動照合",
                               "matched automatically in another folder of the worklist"),
    "compare.match.database": ("解析済みの心電図から自動照合", "matched automatically among "
                               "the ECGs already reviewed"),
    "compare.match.manual": ("手動で選択", "chosen by hand"),
    # the window and the command line both say it: each way of choosing the file is named
    # (QA 34: `analyze --prior auto` pointed to the window's menu only)
    "compare.no_patient_id": (
        "このファイルには患者IDがないため、前回心電図を自動で探せません。前回心電図のファイルを"
        "選んでください（画面では「前回心電図と比較…」、コマンドでは --prior FILE）。",
        "This file carries no patient ID, so the prior ECG cannot be found automatically. Choose "
        "its file (in the window with \"Compare with prior…\", on the command line with --prior "
        "FILE).",
    ),
    "compare.no_time": (
        "このファイルには記録日時がないため、前回心電図を自動で探せません。",
        "This file carries no recording time, so the prior ECG cannot be found automatically.",
    ),
    "compare.none_found": (
        "同じ患者（ID {patient_id}）の前回心電図は見つかりませんでした。",
        "No earlier ECG of this patient (ID {patient_id}) was found.",
    ),
    "compare.found": (
        "前回心電図が見つかりました: {date}（{file}）— 「前回心電図と比較…」で表示",
        "Prior ECG found: {date} ({file}) — see \"Compare with prior…\"",
    ),
    "compare.other_patient": (
        "選んだファイルは別の患者の心電図です（患者ID {prior_id}／今回 {current_id}）。",
        "The chosen file is another patient's ECG (patient ID {prior_id}; this ECG {current_id}).",
    ),
    "compare.not_earlier": (
        "選んだ心電図（{prior_date}）は今回（{current_date}）より前の記録ではありません。",
        "The chosen ECG ({prior_date}) was not recorded before this one ({current_date}).",
    ),
    "compare.other_sex": (
        "選んだファイルは別の患者の心電図です（性別が違います: 前回 {prior_sex}／今回 "
        "{current_sex}）。",
        "The chosen file is another patient's ECG (the sex differs: prior {prior_sex}, this ECG "
        "{current_sex}).",
    ),
    "compare.other_age": (
        "選んだファイルは別の患者の心電図です（前回の年齢 {prior_age} 歳が今回の {current_age} 歳"
        "より上です）。",
        "The chosen file is another patient's ECG (the prior ECG gives an age of {prior_age}, "
        "older than this ECG's {current_age}).",
    ),
    "compare.other_birth_date": (
        "選んだファイルは別の患者の心電図です（生年月日が違います: 前回 {prior_birth}／今回 "
        "{current_birth}）。",
        "The chosen file is another patient's ECG (the birth date differs: prior {prior_birth}, "
        "this ECG {current_birth}).",
    ),
    "compare.unknown": ("不明", "unknown"),
    "compare.patient_data": ("{sex}・{age}", "{sex}, {age}"),
    "compare.patient_unknown": ("性別・年齢の記載なし", "sex and age not given"),
    "compare.unmatched": (
        "患者IDで照合していません（手動選択）　前回: {prior}／今回: {current}",
        "Patient not matched by ID (chosen by hand) - prior: {prior}; this ECG: {current}",
    ),
    "compare.why_none": ("前回心電図との比較なし: {why}", "No comparison with the prior ECG: {why}"),
    "compare.cli.report_not_written": (
        "前回心電図（--prior {file}）を比較に使えないため、レポートは作成していません: {error}",
        "The prior ECG (--prior {file}) cannot be used for the comparison, so no report was "
        "written: {error}",
    ),
    "compare.same_file": ("今回と同じ心電図です。", "This is the same ECG."),
    "compare.prior_unreadable": (
        "前回心電図として指定したファイルを比較に使えません: {file}（{error}）",
        "The file named as the prior ECG cannot be used for the comparison: {file} ({error})",
    ),
    "compare.prior_auto_unusable": (
        "自動で見つかった前回心電図を読めないため、比較していません。",
        "The prior ECG found automatically cannot be read; no comparison was made.",
    ),
    # --prior auto met files it cannot read: one line, each file's error in the log file
    "compare.cli.candidates_unreadable": ("前回心電図の候補のうち {n} 件は読めませんでした",
                                          "Candidate prior ECG files that could not be read: {n}"),
    "compare.cli.candidates_unreadable_log": (
        "前回心電図の候補のうち {n} 件は読めませんでした（詳細はログ: {log}）",
        "Candidate prior ECG files that could not be read: {n} (details in the log: {log})",
    ),
    "compare.cli.prior_used": ("前回心電図: {file}（{date}、{how}）",
                               "Prior ECG: {file} ({date}, {how})"),
    # the window and the report
    "compare.title": ("前回心電図との比較", "Comparison with the prior ECG"),
    "compare.action": ("前回心電図と比較…", "Compare with prior…"),
    "compare.pick_title": ("前回心電図を選択", "Choose the prior ECG"),
    # the comparison window: the prior found automatically may not be the one wanted
    "compare.pick_other": ("別の前回心電図を選ぶ…", "Choose another prior ECG…"),
    "compare.current_label": ("今回: {date}　{file}", "Current: {date}  {file}"),
    "compare.prior_label": ("前回: {date}　{file}（{how}）", "Prior: {date}  {file} ({how})"),
    "compare.col.item": ("項目", "Item"),
    "compare.col.prior": ("前回", "Prior"),
    "compare.col.current": ("今回", "Current"),
    "compare.col.change": ("変化", "Change"),
    "compare.col.mark": ("判定", "Mark"),
    "compare.mark": ("基準超", "beyond threshold"),
    "compare.new_header": ("前回になかった所見（新規）", "New since the prior ECG"),
    "compare.resolved_header": ("前回あって今回ない所見（消失）", "Resolved since the prior ECG"),
    "compare.none": ("なし", "none"),
    "compare.more_findings": ("ほか {n} 件（JSON レポートにあります）", "{n} more (in the JSON report)"),
    "compare.not_assessable_header": (
        "新たな{labels}のため判定できない前回の所見（消失とはいえません）",
        "Not assessable because of the new {labels} (not resolved)",
    ),
    "compare.not_assessable_header_both": (
        "前回・今回ともにある{labels}のため判定できない所見（新規・消失とはいえません）",
        "Not assessable because of the {labels} on both ECGs (neither new nor resolved)",
    ),
    "compare.low_confidence": (
        "参考値（どちらかの値の信頼度が低いため判定していません）",
        "Low confidence: one of the two values is uncertain, the change is not judged",
    ),
    "compare.findings_unavailable": (
        "所見の比較はできません（どちらかの心電図にAIの候補がありません）",
        "Findings not compared (one of the ECGs has no AI suggestions)",
    ),
    "compare.median_title": ("代表心拍の重ね合わせ（黒: 今回、青: 前回）",
                             "Median beats overlaid (black: current, blue: prior)"),
    "compare.busy": ("前回心電図を解析しています…", "Analysing the prior ECG…"),
    "compare.failed": ("前回心電図との比較ができませんでした: {error}",
                       "The comparison with the prior ECG failed: {error}"),
    "compare.no_record": ("心電図を開いてから比較してください。", "Open an ECG first."),
    "compare.report_section": ("前回心電図との比較", "Comparison with the prior ECG"),
    "compare.fhir.title": ("前回心電図との比較", "Comparison with prior EKG"),
    "compare.fhir.prior_study": ("心電図検査（前回）", "Electrocardiogram (prior)"),
    "compare.fhir.prior_not_reviewed": (
        "前回心電図の所見候補と判定は AI によるもので、前回の医師の確認結果は反映していません。",
        "The prior ECG's suggestions and level are the AI's; the physician's review of the prior"
        " is not applied.",
    ),
    "compare.fhir.change": ("{label} 変化", "{label} change"),
}
