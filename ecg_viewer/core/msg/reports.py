"""Message texts for reports, reviews and the worklist.

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # the ECG sheet printed with other settings than asked (report/pdf.printed_settings)
    "report.page_refit": (
        "指定の設定では A4 横 1 枚に実寸で収まらないため、心電図は {printed} で印刷しました（指定: {asked}）",
        "The ECG did not fit one A4 landscape sheet at true scale with the settings asked for: "
        "printed at {printed} (asked: {asked})",
    ),
    # --- review store and exports (issue 8: review, reports, worklist) -----------------------
    "review.open_failed": (
        "確認結果のデータベースを開けません: {path}（{reason}）",
        "Cannot open the review database {path} ({reason})",
    ),
    "review.too_new": (
        "確認結果のデータベース {path} は新しい版のアプリで作られています（スキーマ {version}）。"
        "アプリを更新してください。",
        "The review database {path} was written by a newer version of the app (schema "
        "{version}); update the app.",
    ),
    "review.disk_full": (
        "ディスクの空きがないため確認結果を保存できませんでした: {path}。"
        "空きを作ってから、もう一度保存してください。",
        "The disk is full, so the review was not saved to {path}. Free some space and save "
        "again.",
    ),
    "review.write_failed": (
        "確認結果を保存できませんでした: {path}（{reason}）",
        "Could not save the review to {path} ({reason})",
    ),
    "report.readonly": (
        "書き出し先に書き込めません（読み取り専用か、権限がありません）: {path}。"
        "別の保存先を選んでください。",
        "Cannot write to the destination (read-only or no permission): {path}. "
        "Choose another location.",
    ),
    "report.disk_full": (
        "ディスクの空き容量が足りないため書き出せませんでした: {path}。"
        "既存のファイルは変更されていません。",
        "Not enough disk space to write {path}; any existing file is unchanged.",
    ),
    "report.no_dir": (
        "書き出し先のフォルダがありません: {dir}",
        "The destination folder does not exist: {dir}",
    ),
    "report.is_dir": (
        "書き出し先がフォルダです。ファイル名を指定してください: {path}",
        "The destination is a folder; give a file name: {path}",
    ),
    "report.write_failed": (
        "書き出しに失敗しました: {path}（{reason}）。既存のファイルは変更されていません。",
        "Export failed: {path} ({reason}); any existing file is unchanged.",
    ),
    "report.written": ("書き出しました: {path}", "Written: {path}"),
    "report.bad_suffix": (
        "書き出し先のファイル名の拡張子が違います: {path}（{reason} にしてください）。",
        "Wrong file extension for the export: {path} (use {reason}).",
    ),
    "report.same_target": (
        "同じファイルが二つの書き出し先に指定されています: {path}。別々のファイル名を指定してください。",
        "The same file is named for two exports: {path}. Give each export its own file name.",
    ),
    "report.read_only_target": (
        "書き出し先のファイルは書き込み禁止です: {path}。上書きしません。別のファイル名を指定するか、"
        "書き込み禁止を解除してください。",
        "The destination file is read-only: {path}. It is not overwritten; give another file "
        "name or make it writable.",
    ),
    "report.is_source": (
        "書き出し先が読み込んだ心電図ファイルそのものです: {path}。元のファイルは変更しません。"
        "別のファイル名を指定してください。",
        "The destination is the ECG file that was read: {path}. The source file is never "
        "changed; give another file name.",
    ),
    "report.title": ("12誘導心電図レポート", "12-lead ECG report"),
    "report.patient_id": ("患者ID", "Patient ID"),
    "report.patient_name": ("氏名", "Name"),
    "report.sex": ("性別", "Sex"),
    "report.sex.M": ("男性", "male"),
    "report.sex.F": ("女性", "female"),
    "report.age": ("年齢", "Age"),
    "report.age_disagree": ("{age:.0f} 歳（生年月日では {by_birth:.0f} 歳）", "{age:.0f} y ({by_birth:.0f} y by birth date)"),
    "report.age_value": ("{age:.0f} 歳", "{age:.0f} y"),
    "report.birth_date": ("生年月日", "Date of birth"),
    "report.recorded_at": ("記録日時", "Recorded"),
    "report.device": ("装置", "Device"),
    "report.device_filters": ("装置のフィルタ", "Device filters"),
    "report.file": ("ファイル", "File"),
    "report.device_reading": ("記録装置の自動解析（原文のまま・本ソフトの所見ではありません）",
                              "The recording device's own reading (as written; not this software's)"),
    # the cart's own global measurements (io: meta.extra["device_measurements"]), beside ours
    "report.device_measurements": ("記録装置の計測値: {values}", "The device's measurements: {values}"),
    "report.device_reading_more": ("ほか {n} 件（JSON レポートの record.meta.interpretation）",
                                   "{n} more (JSON report, record.meta.interpretation)"),
    "report.details.record": (
        "sha256: {sha256}　形式: {format}　{fs} Hz　{seconds} 秒　{leads} 誘導",
        "sha256: {sha256}  format: {format}  {fs} Hz  {seconds} s  {leads} leads",
    ),
    # a record of an hour or more: its length in h:mm:ss, as sheet 1 gives it (QA 44)
    "report.details.record_clock": (
        "sha256: {sha256}　形式: {format}　{fs} Hz　{clock}（時:分:秒）　{leads} 誘導",
        "sha256: {sha256}  format: {format}  {fs} Hz  {clock} (h:mm:ss)  {leads} leads",
    ),
    "report.details.model": (
        "アプリ {version}　重み sha256: {weights}　カタログ: {catalog}　計算装置: {device}",
        "app {version}  weights sha256: {weights}  catalog: {catalog}  device: {device}",
    ),
    "report.unknown": ("記載なし", "not given"),
    "report.measurements": ("計測値", "Measurements"),
    "report.not_measured": ("計測不能", "n/a"),
    "report.sheet1.confirmed": ("医師確認", "confirmed"),
    "report.sheet1.rejected": ("医師否定", "rejected"),
    "report.sheet1.added": ("医師が追加: {labels}", "added by the physician: {labels}"),
    "report.suggestions": ("所見候補（AI、参考）", "Suggested findings (AI, for reference)"),
    "report.col.finding": ("所見", "Finding"),
    "report.col.score": ("スコア", "Score"),
    "report.col.similarity": ("類似度", "Similarity"),
    "report.col.category": ("区分", "Category"),
    "report.col.decision": ("医師", "Physician"),
    "report.no_suggestions": ("所見候補なし（モデル未実行）", "No suggestions (model not run)"),
    "report.referral": ("自動判定（参考）", "Automatic referral level (for reference)"),
    "report.referral_measurements_only": (
        "自動判定（計測値のみ・AI 未実行、参考）",
        "Automatic level (measurements only, AI not run; for reference)",
    ),
    "report.quality_bad": ("信号品質: {problems}", "Signal quality: {problems}"),
    "report.model_window": ("AI の所見候補は記録の {start:.1f}–{end:.1f} 秒（中央の 10 秒）から",
                            "The AI's suggestions come from {start:.1f}–{end:.1f} s of the record "
                            "(its central 10 s)"),
    "report.model_window_clock": ("AI の所見候補は記録の {start}–{end}（時:分:秒、中央の 10 秒）から",
                                  "The AI's suggestions come from {start}–{end} of the record "
                                  "(h:mm:ss, its central 10 s)"),
    "report.quality_caveat": ("信号品質に注意（詳細は 2 枚目）: {problems}",
                              "Signal quality caveat (details on sheet 2): {problems}"),
    "report.review": ("医師の確認", "Physician's review"),
    "report.not_reviewed": ("未確認（医師の確認がありません）", "Not reviewed by a physician"),
    "report.confirmed": ("確認", "confirmed"),
    "report.rejected": ("否定", "rejected"),
    "report.added": ("追加した所見", "Added findings"),
    "report.comment": ("コメント", "Comment"),
    # a review row or comment longer than the sheet's column: the rest is in the JSON and FHIR
    "report.review_more": ("（続きは JSON・FHIR に全文）", " (continued in the JSON and FHIR)"),
    "report.final_level": ("医師の判定", "Physician's referral level"),
    "report.suggested_level": ("自動判定", "Automatic level"),
    # not "further examination": that is the level 要精査 ("Further examination needed")
    "report.needs_exam": ("要追加検査", "Additional tests needed"),
    "report.reviewer": ("確認者", "Reviewed by"),
    "report.annotations": ("計測・注記", "Calipers and notes"),
    # more calipers than the review column holds (QA 71: 12 placed, 8 listed, no word of the rest)
    "report.annotations_more": ("ほか {n} 件（JSON に全件）", "{n} more (all in the JSON)"),
    # the FHIR Observation of a caliper or note the physician placed
    "report.fhir.caliper_time": ("キャリパー計測（時間）", "Caliper measurement (time)"),
    "report.fhir.caliper_amplitude": ("キャリパー計測（振幅）", "Caliper measurement (amplitude)"),
    "report.fhir.caliper_note": ("心電図上の注記", "Note on the ECG"),
    "report.provenance": (
        "アプリ {app}　重み {weights}　カタログ {catalog}　作成 {generated}",
        "App {app}   weights {weights}   catalog {catalog}   generated {generated}",
    ),
    "report.page_no": ("{n}/{total} ページ", "page {n}/{total}"),
    "report.fhir.study": ("心電図検査", "Electrocardiogram"),
    "report.fhir.referral_level": ("判定区分", "Referral level"),
    "report.fhir.evidence": ("根拠: {items}", "Evidence: {items}"),
    # an Observation's note on one finding: its score and category, then who stated it
    "report.fhir.ai_score": ("AI スコア {score:.2f}（区分 {category}）", "AI score {score:.2f} (category {category})"),
    "report.fhir.ai_score_measured": (
        "計測値が基準を満たすため表示（AI スコア {score:.2f}、区分 {category}）",
        "shown as the measurements meet its criteria (AI score {score:.2f}, category {category})"),
    "report.fhir.decision.confirmed": ("医師が確認", "confirmed by physician"),
    "report.fhir.decision.added": ("医師が追加", "added by physician"),
    "report.fhir.decision.none": ("AI の提案（医師未確認）", "AI suggestion, not reviewed"),
    "report.fhir.note_sep": ("／", "; "),
    "report.fhir.impression": ("心電図所見", "EKG impression"),
    "report.fhir.rr_ms": ("RR 間隔", "R-R interval"),
    "report.fhir.qt_ms": ("QT 間隔", "QT interval"),
    # an evidence component's interpretation: the criterion, then for or against the finding
    "report.fhir.supports": ("所見を支持", "supports the finding"),
    "report.fhir.against": ("所見に反する", "against the finding"),
    "report.fhir.borderline": ("基準の境界域（所見は保持）", "borderline to the criterion (finding kept)"),
    "report.fhir.criterion": ("基準 {criterion}", "criterion {criterion}"),
    "report.fhir.label_score": ("その所見のスコア {score}", "that finding's score {score}"),
    "report.fhir.interpretation": ("{what}：{verdict}", "{what}: {verdict}"),
    "report.fhir.by_model": ("モデル", "model"),
    "report.fhir.conclusion_physician": ("医師が確認した所見: {labels}",
                                         "Findings confirmed by the physician: {labels}"),
    "report.fhir.conclusion": ("AI による所見候補（参考）: {labels}", "AI-suggested findings (for reference): {labels}"),
    "report.batch.progress": ("{done}/{total} 件　{rate:.1f} 件/秒", "{done}/{total}  {rate:.1f} ECG/s"),
    "report.batch.summary": (
        "{ok} 件を解析、{failed} 件は読めませんでした、{skipped} 件は前回までに解析済みのため省略、"
        "{duplicates} 件は同じ内容のファイルの重複（{seconds:.1f} 秒、{rate:.2f} 件/秒）: {out}",
        "{ok} analysed, {failed} unreadable, {skipped} already done in an earlier run, "
        "{duplicates} duplicates of another file ({seconds:.1f} s, {rate:.2f} ECG/s): {out}",
    ),
    "report.batch.changed": (
        "前回の解析の後に変更された {n} 件は、前の結果の行を削除して解析し直しました。",
        "{n} files changed since their earlier results: the old rows were removed and the files "
        "analysed again.",
    ),
    "report.batch.no_files": ("心電図ファイルが見つかりません: {dir}", "No ECG files found in {dir}"),
    "report.batch.bad_out": (
        "出力ファイルは .jsonl か .csv にしてください: {path}",
        "The output must end in .jsonl or .csv: {path}",
    ),
    "report.batch.not_dir": ("フォルダではありません: {dir}", "Not a folder: {dir}"),
    "report.no_measurements": ("未計測", "not measured"),
    "report.more_on_sheet2": ("ほか {n} 件は 2 ページ目", "{n} more on sheet 2"),
    "report.banner_more": ("ほか {n} 件（2 ページ目）", "{n} more on sheet 2"),
    "report.more_reasons": ("ほか {n} 件の理由は JSON レポートにあります",
                            "{n} more reasons are in the JSON report"),
    "report.star_legend": ("（* 閾値以上）", "(* at or above threshold)"),
    "report.table_legend": (
        "赤字・* = 閾値以上。バーはスコア、縦線はその所見の閾値。「計測」= 計測値が基準を満たすため表示"
        "（バーはモデルのスコア）。",
        "Red / * = at or above threshold. Bar = score; tick = that finding's threshold. "
        "meas. = shown as the measurements meet its criteria (bar: the model's score).",
    ),
    "report.level_pending": ("未記入（確認中）", "not set yet (review in progress)"),
    "report.more_present": (
        "ほか {n} 件の所見が閾値以上です（全件は JSON レポートにあります）",
        "{n} more findings are at or above their threshold (all are in the JSON report)",
    ),
    "report.yes": ("あり", "yes"),
    "report.no": ("なし", "no"),
    "report.batch.interrupted": (
        "中断しました。同じコマンドをもう一度実行すると続きから再開します: {out}",
        "Interrupted. Run the same command again to resume: {out}",
    ),
    # --- review panel, report export/print, worklist in the window (issue 8) -----------------
    "review.ui.title": ("医師の確認", "Physician's review"),
    # the dock's title is its tab beside two others in a 270-px column: short in English
    "review.ui.changed_elsewhere": (
        "この心電図の確認内容が別の画面で変更されたため、表示を更新しました。",
        "This ECG's review was changed in another window; the panel shows it as now stored.",
    ),
    "review.ui.level_set_elsewhere": (
        "別の画面でこの心電図の判定が「{level}」に変更されていたため、変更しませんでした。"
        "表示を更新しました。変更する場合はもう一度選んでください。",
        "Another window had set this ECG's level to {level}, so it was not changed; the panel "
        "now shows it. Choose again to change it.",
    ),
    "review.ui.comment_merged": (
        "別の画面で保存されたコメントを、入力中のコメントの前に表示しました（まだ保存していません）。"
        "確かめて保存してください。",
        "A comment saved in another window is shown before the one being typed (not saved yet)."
        " Check it and save.",
    ),
    "review.ui.dock": ("医師の確認", "Review"),
    "review.ui.score_tip": ("AI のスコア。★：しきい値以上（所見候補として表示）",
                            "The AI's score. ★: at or above its threshold (shown as a "
                            "suggestion)"),
    "review.ui.no_record": ("心電図を開くと確認を記録できます。", "Open an ECG to record a review."),
    "review.ui.reviewer": ("確認者", "Reviewer"),
    "review.ui.reviewer_hint": ("氏名（一度入力すれば記憶します）", "Your name (remembered)"),
    "review.ui.suggestions": ("所見候補の確認", "Suggested findings"),
    "review.ui.waiting": ("AI 解析の結果を待っています…", "Waiting for the AI analysis…"),
    "review.ui.undecided": ("—", "—"),
    "review.ui.confirm": ("確認", "Confirm"),
    "review.ui.reject": ("否定", "Reject"),
    "review.ui.add_label": ("所見を追加", "Add a finding"),
    "review.ui.search_hint": (
        "日本語・同義語・英語で検索（例: 心房細動、AF、ブルガダ）",
        "Search in Japanese, a synonym or English (e.g. 心房細動, AF, Brugada)",
    ),
    "review.ui.added": ("追加した所見（ダブルクリックで削除）", "Added findings (double-click removes)"),
    "review.ui.comment": ("コメント", "Comment"),
    "review.ui.save_comment": ("コメントを保存", "Save comment"),
    "review.ui.final_level": ("医師の判定", "Physician's referral level"),
    "review.ui.suggested_level": ("AI 提案: {level}", "AI suggestion: {level}"),
    "review.ui.no_level": ("（未判定）", "(not set)"),
    "review.ui.needs_exam": ("要追加検査", "Additional tests needed"),
    "review.ui.needs_exam_reason": ("理由（例: 心エコー、ホルター心電図）", "Reason (e.g. echo, Holter)"),
    "review.ui.state.unreviewed": ("未確認", "Not reviewed"),
    "review.ui.state.in_progress": ("確認中", "In progress"),
    "review.ui.state.done": ("確認済", "Reviewed"),
    "review.ui.rejected_over_confirmed": (
        "保存しました。ただし否定した「{label}」は、確認した「{parts}」を含む所見です。"
        "確認と否定の組み合わせを見直してください",
        "Saved, but the rejected \"{label}\" includes \"{parts}\", which you confirmed. Check "
        "these decisions together",
    ),
    "review.ui.rests_on_rejected": (
        "保存しました。ただし確認した「{label}」は、否定した「{parts}」の上に成り立つ所見です。"
        "確認と否定の組み合わせを見直してください",
        "Saved, but the confirmed \"{label}\" stands on \"{parts}\", which you rejected. Check "
        "these decisions together",
    ),
    "review.ui.saved": ("確認結果を保存しました（{who}、{when}）", "Review saved ({who}, {when})"),
    "review.ui.unavailable": (
        "確認結果のデータベースが使えないため、確認は記録されません: {reason}",
        "The review database is unavailable, so reviews are not recorded: {reason}",
    ),
    "report.ui.export": ("レポートを書き出す…", "Export report…"),
    "report.ui.print": ("レポートを印刷…", "Print report…"),
    "report.ui.export_title": ("レポートを書き出す", "Export report"),
    "report.ui.replace": ("「{name}」は既にあります。置き換えますか？",
                          "{name} already exists. Replace it?"),
    "report.ui.filter_pdf": ("PDF レポート (*.pdf)", "PDF report (*.pdf)"),
    "report.ui.filter_json": ("JSON レポート (*.json)", "JSON report (*.json)"),
    "report.ui.filter_fhir": ("FHIR R4 バンドル (*.fhir.json)", "FHIR R4 bundle (*.fhir.json)"),
    "report.ui.no_record": ("心電図が開かれていません。", "No ECG is open."),
    "report.ui.analysing": (
        "AI 解析が終わっていないため、計測と信号品質のみでレポートを作成します。",
        "The AI analysis has not finished; the report holds measurements and signal quality only.",
    ),
    "report.ui.printed": ("印刷しました（{pages} ページ）", "Printed ({pages} pages)"),
    "report.ui.print_failed": ("印刷できませんでした: {reason}", "Printing failed: {reason}"),
    "worklist.title": ("作業リスト", "Worklist"),
    "worklist.open_folder": ("フォルダを作業リストとして開く…", "Open folder as worklist…"),
    "worklist.stop": ("中止", "Stop"),
    "worklist.col.level": ("判定", "Level"),
    "worklist.col.file": ("ファイル", "File"),
    "worklist.col.finding": ("主な所見", "Top finding"),
    "worklist.col.hr": ("HR", "HR"),
    "worklist.col.review": ("確認", "Review"),
    "worklist.error": ("読込不可", "Unreadable"),
    # a file with the same ECG (sha256) as one above it: read and reviewed with that one
    "worklist.copy_of": ("{name} と同じ心電図（コピー。確認はそちらと共通）",
                         "the same ECG as {name} (a copy; reviewed with it)"),
    "worklist.progress": ("{done}/{total} 件を解析", "{done}/{total} analysed"),
    "worklist.stopped": ("中止しました: {done}/{total} 件を解析", "Stopped: {done}/{total} analysed"),
    "worklist.done": ("{total} 件の解析が終わりました（{rate:.1f} 件/秒）", "{total} analysed ({rate:.1f} ECG/s)"),
    "worklist.no_model": (
        "AI モデルが使えないため、計測値による判定のみです: {reason}",
        "The AI model is unavailable; levels come from the measurements only: {reason}",
    ),
    "worklist.empty": ("このフォルダに心電図ファイルはありません: {dir}", "No ECG files in {dir}"),
}
