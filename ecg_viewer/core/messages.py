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
    # --- viewer window (ui.) ----------------------------------------------------------------
    "ui.app_title": ("心電図ビューア", "ECG Viewer"),
    "ui.page.highpass": ("基線 {hz:g} Hz", "HP {hz:g} Hz"),
    "ui.page.lowpass": ("高域 {hz:g} Hz", "LP {hz:g} Hz"),
    "ui.page.notch": ("ハム {hz:g} Hz", "notch {hz:g} Hz"),
    "ui.page.unfiltered": ("なし（生波形）", "none (raw signal)"),
    "ui.page.filters": ("フィルタ", "Filters"),
    "ui.page.gain": ("{gain:g} mm/mV", "{gain:g} mm/mV"),
    "ui.page.gain_split": ("肢誘導 {limb:g} mm/mV・胸部誘導 {chest:g} mm/mV",
                           "limb {limb:g} mm/mV, chest {chest:g} mm/mV"),
    "ui.page.missing_lead": ("{lead}（記録なし）", "{lead} (not recorded)"),
    "ui.page.window": ("{start:.1f}–{end:.1f} 秒 / 全 {total:.1f} 秒", "{start:.1f}–{end:.1f} s of {total:.1f} s"),
    "ui.caliper.time": ("{ms:.0f} ms（{bpm:.0f} bpm）", "{ms:.0f} ms ({bpm:.0f} bpm)"),
    "ui.caliper.time_zero": ("0 ms", "0 ms"),
    "ui.caliper.amplitude": ("{mv:+.2f} mV", "{mv:+.2f} mV"),
    "ui.menu.file": ("ファイル(&F)", "&File"),
    "ui.menu.view": ("表示(&V)", "&View"),
    "ui.menu.filters": ("フィルタ(&L)", "Fi&lters"),
    "ui.menu.tools": ("ツール(&T)", "&Tools"),
    "ui.menu.language": ("言語 / Language", "Language / 言語"),
    "ui.menu.help": ("ヘルプ(&H)", "&Help"),
    "ui.menu.layout": ("レイアウト", "Layout"),
    "ui.menu.speed": ("記録速度", "Paper speed"),
    "ui.menu.gain": ("感度（全誘導）", "Gain (all leads)"),
    "ui.menu.gain_limb": ("感度（肢誘導）", "Gain (limb leads)"),
    "ui.menu.gain_chest": ("感度（胸部誘導）", "Gain (chest leads)"),
    "ui.menu.single_lead": ("拡大する誘導", "Enlarged lead"),
    "ui.menu.recent": ("最近使ったファイル", "Recent files"),
    "ui.action.open": ("開く…", "Open…"),
    "ui.action.next": ("次のファイル", "Next file"),
    "ui.action.prev": ("前のファイル", "Previous file"),
    "ui.action.quit": ("終了", "Quit"),
    "ui.action.export_view": ("表示を画像で保存…", "Save view as image…"),
    "ui.action.clear_recent": ("履歴を消去", "Clear list"),
    "ui.action.zoom_in": ("拡大", "Zoom in"),
    "ui.action.zoom_out": ("縮小", "Zoom out"),
    "ui.action.actual_size": ("実寸表示", "Actual size"),
    "ui.action.fit_page": ("ページ全体", "Fit page"),
    "ui.action.scroll_fwd": ("後へ送る", "Scroll forward"),
    "ui.action.scroll_back": ("前へ戻す", "Scroll back"),
    "ui.action.raw": ("生波形（フィルタ解除）", "Raw signal (filters off)"),
    "ui.action.diagnostic": ("診断用 0.05–150 Hz＋ハム", "Diagnostic 0.05–150 Hz + notch"),
    "ui.action.caliper_time": ("時間キャリパー", "Time caliper"),
    "ui.action.caliper_amp": ("振幅キャリパー", "Amplitude caliper"),
    "ui.action.caliper_clear": ("キャリパーをすべて消去", "Remove all calipers"),
    "ui.action.screen_scale": ("画面の実寸設定…", "Screen scale…"),
    "ui.action.shortcuts": ("キーボード操作", "Keyboard shortcuts"),
    "ui.layout.3x4": ("3×4（標準）＋リズム", "3×4 standard + rhythm"),
    "ui.layout.6x2": ("6×2＋リズム", "6×2 + rhythm"),
    "ui.layout.12x1": ("12×1", "12×1"),
    "ui.layout.1": ("1 誘導拡大", "One lead enlarged"),
    "ui.filter.highpass": ("基線補正（高域通過）", "Baseline high-pass"),
    "ui.filter.notch": ("ハムフィルタ", "Power-line notch"),
    "ui.filter.lowpass": ("高域遮断（低域通過）", "Low-pass"),
    "ui.filter.off": ("なし", "Off"),
    "ui.filter.state_raw": ("フィルタ: なし（生波形）", "Filters: none (raw)"),
    "ui.open.dialog_title": ("心電図ファイルを開く", "Open ECG file"),
    "ui.open.filter": ("心電図ファイル", "ECG files"),
    "ui.open.all_files": ("すべてのファイル", "All files"),
    "ui.open.loading": ("読み込み中: {file}", "Loading {file}"),
    "ui.open.loaded": ("{file} を開きました（{fmt}、{fs:g} Hz、{dur:.1f} 秒）", "Opened {file} ({fmt}, {fs:g} Hz, {dur:.1f} s)"),
    "ui.open.error_title": ("ファイルを開けません", "Cannot open file"),
    "ui.open.kept_previous": ("表示中の心電図はそのままです。", "The ECG on screen is unchanged."),
    "ui.open.no_more_files": ("このフォルダにほかの心電図ファイルはありません。", "No other ECG file in this folder."),
    "ui.empty": ("心電図ファイルを開いてください（ファイル→開く、またはここへドラッグ＆ドロップ）。",
                 "Open an ECG file (File → Open, or drag and drop it here)."),
    "ui.header.patient_id": ("患者ID", "Patient ID"),
    "ui.header.name": ("氏名", "Name"),
    "ui.header.sex": ("性別", "Sex"),
    "ui.header.sex_m": ("男", "M"),
    "ui.header.sex_f": ("女", "F"),
    "ui.header.age": ("年齢", "Age"),
    "ui.header.age_value": ("{age:.0f} 歳", "{age:.0f} y"),
    "ui.header.recorded_at": ("記録日時", "Recorded"),
    "ui.header.device": ("装置", "Device"),
    "ui.header.file": ("ファイル", "File"),
    "ui.header.format": ("形式", "Format"),
    "ui.header.signal": ("信号", "Signal"),
    "ui.header.signal_value": ("{fs:g} Hz・{dur:.1f} 秒・{n} 誘導", "{fs:g} Hz, {dur:.1f} s, {n} leads"),
    "ui.header.derived": ("計算誘導: {leads}", "Computed: {leads}"),
    "ui.header.missing": ("欠落誘導: {leads}", "Missing: {leads}"),
    "ui.header.unknown": ("—", "—"),
    "ui.meas.title": ("計測値", "Measurements"),
    "ui.meas.hr": ("心拍数", "HR"),
    "ui.meas.pr": ("PR", "PR"),
    "ui.meas.qrs": ("QRS", "QRS"),
    "ui.meas.qt": ("QT/QTc", "QT/QTc"),
    "ui.meas.axis": ("電気軸", "Axis"),
    "ui.meas.pending": ("計測値は自動計測の実装後にここに表示されます", "Measurements will appear here once automatic measurement is available"),
    "ui.meas.na": ("—", "—"),
    "ui.suggest.title": ("AI 所見候補", "AI suggestions"),
    "ui.suggest.placeholder": ("心電図を開くと、モデルによる所見候補と要精査などの判定がここに表示されます。",
                               "The model's suggested findings and the referral flag appear here when an ECG is open."),
    "ui.suggest.not_available": ("この版では所見候補の機能がまだ組み込まれていません。",
                                 "Suggestions are not available in this build yet."),
    "ui.suggest.busy": ("解析中…", "Analysing…"),
    "ui.suggest.referral": ("判定", "Referral"),
    "ui.suggest.error": ("解析できませんでした: {error}", "Analysis failed: {error}"),
    "ui.status.zoom": ("倍率 {pct:.0f}%（1 mm = {px:.2f} 画素）", "Zoom {pct:.0f}% (1 mm = {px:.2f} px)"),
    "ui.status.caliper_hint_time": ("時間キャリパー: 波形上で始点と終点をクリック（Esc で中止）",
                                    "Time caliper: click start and end on a trace (Esc cancels)"),
    "ui.status.caliper_hint_amp": ("振幅キャリパー: 波形上で下端と上端をクリック（Esc で中止）",
                                   "Amplitude caliper: click two levels on a trace (Esc cancels)"),
    "ui.scale.title": ("画面の実寸設定", "Screen scale"),
    "ui.scale.explain": ("画面上の線の長さを定規で測り、100 mm になるように調整してください。\n"
                         "正しく設定すると 25 mm/s・10 mm/mV が紙と同じ大きさで表示されます。",
                         "Measure the bar on screen with a ruler and adjust it to 100 mm.\n"
                         "Then 25 mm/s and 10 mm/mV appear at the size of paper."),
    "ui.scale.px_per_mm": ("1 mm あたりの画素数", "Pixels per mm"),
    "ui.scale.from_dpi": ("画面の DPI から（{dpi:.0f} dpi）", "From the screen DPI ({dpi:.0f} dpi)"),
    "ui.scale.measured": ("定規で測った長さ（mm）", "Length measured with a ruler (mm)"),
    "ui.shortcuts.text": (
        "Ctrl+O 開く／PgDn・PgUp 次・前のファイル／1・2・3・4 レイアウト 3×4・6×2・12×1・1誘導／"
        "S 記録速度切替／G・Shift+G 感度 上げ・下げ／B 基線補正／N ハム／L 高域遮断／R 生波形／"
        "D 診断用フィルタ／T 時間キャリパー／A 振幅キャリパー／Del キャリパー消去／Ctrl+0 実寸／Ctrl+9 ページ全体／"
        "Ctrl++・Ctrl+- 拡大・縮小／←・→ 時間送り／Ctrl+E 画像で保存／F11 読影モード／"
        "J・K 次・前の症例（作業リスト順）／F 次の未確認の要精査以上／C・X 上位の所見候補を採用・却下／"
        "U 要至急／E 要精査／W 異常なし／Ctrl+L 作業リスト（Enter で開く）",
        "Ctrl+O open / PgDn, PgUp next, previous file / 1 2 3 4 layout 3×4, 6×2, 12×1, one lead / "
        "S paper speed / G, Shift+G gain up, down / B baseline / N notch / L low-pass / R raw / D diagnostic / "
        "T time caliper / A amplitude caliper / Del remove calipers / Ctrl+0 actual size / "
        "Ctrl+9 fit page / Ctrl++, Ctrl+- zoom / Left, Right scroll / Ctrl+E save image / "
        "F11 reading mode / J, K next, previous case (worklist order) / F next unreviewed flagged case / "
        "C, X confirm, reject the top suggestion / U urgent / E further examination / "
        "W no abnormality / Ctrl+L worklist (Enter opens)",
    ),
    "ui.render.written": ("{out} に書き出しました（{layout}、{speed:g} mm/s、{gain:g} mm/mV）",
                          "Wrote {out} ({layout}, {speed:g} mm/s, {gain:g} mm/mV)"),
    "ui.render.bad_out": ("出力ファイルの拡張子は .png か .svg にしてください: {out}",
                          "The output must end in .png or .svg: {out}"),
    "ui.render.write_failed": ("書き出せませんでした: {out}（{error}）", "Could not write {out} ({error})"),
    "ui.short.layout.3x4": ("3×4", "3×4"),
    "ui.short.layout.6x2": ("6×2", "6×2"),
    "ui.short.layout.12x1": ("12×1", "12×1"),
    "ui.short.layout.1": ("1誘導", "1 lead"),
    "ui.short.open": ("開く", "Open"),
    "ui.short.prev": ("◀ 前", "◀ Prev"),
    "ui.short.next": ("次 ▶", "Next ▶"),
    "ui.short.highpass": ("基線補正", "HP"),
    "ui.short.notch": ("ハム", "Notch"),
    "ui.short.lowpass": ("高域遮断", "LP"),
    "ui.short.raw": ("生波形", "Raw"),
    "ui.short.caliper_time": ("時間計測", "Time cal."),
    "ui.short.caliper_amp": ("振幅計測", "Amp. cal."),
    "ui.short.caliper_clear": ("計測消去", "Clear cal."),
    "ui.short.actual_size": ("実寸", "1:1"),
    "ui.short.fit_page": ("全体", "Fit"),
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
    "report.title": ("12誘導心電図レポート", "12-lead ECG report"),
    "report.patient_id": ("患者ID", "Patient ID"),
    "report.patient_name": ("氏名", "Name"),
    "report.sex": ("性別", "Sex"),
    "report.sex.M": ("男性", "male"),
    "report.sex.F": ("女性", "female"),
    "report.age": ("年齢", "Age"),
    "report.age_value": ("{age:.0f} 歳", "{age:.0f} y"),
    "report.recorded_at": ("記録日時", "Recorded"),
    "report.device": ("装置", "Device"),
    "report.device_filters": ("装置のフィルタ", "Device filters"),
    "report.file": ("ファイル", "File"),
    "report.unknown": ("記載なし", "not given"),
    "report.measurements": ("計測値", "Measurements"),
    "report.not_measured": ("計測不能", "n/a"),
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
    "report.review": ("医師の確認", "Physician's review"),
    "report.not_reviewed": ("未確認（医師の確認がありません）", "Not reviewed by a physician"),
    "report.confirmed": ("確認", "confirmed"),
    "report.rejected": ("否定", "rejected"),
    "report.added": ("追加した所見", "Added findings"),
    "report.comment": ("コメント", "Comment"),
    "report.final_level": ("医師の判定", "Physician's referral level"),
    "report.suggested_level": ("自動判定", "Automatic level"),
    "report.needs_exam": ("要追加検査", "Needs further examination"),
    "report.reviewer": ("確認者", "Reviewed by"),
    "report.annotations": ("計測・注記", "Calipers and notes"),
    "report.provenance": (
        "アプリ {app}　重み {weights}　カタログ {catalog}　作成 {generated}",
        "App {app}   weights {weights}   catalog {catalog}   generated {generated}",
    ),
    "report.page_no": ("{n}/{total} ページ", "page {n}/{total}"),
    "report.fhir.conclusion": ("AI による所見候補（参考）: {labels}", "AI-suggested findings (for reference): {labels}"),
    "report.batch.progress": ("{done}/{total} 件　{rate:.1f} 件/秒", "{done}/{total}  {rate:.1f} ECG/s"),
    "report.batch.summary": (
        "{ok} 件を解析、{failed} 件は読めませんでした、{skipped} 件は前回までに解析済みのため省略、"
        "{duplicates} 件は同じ内容のファイルの重複（{seconds:.1f} 秒、{rate:.2f} 件/秒）: {out}",
        "{ok} analysed, {failed} unreadable, {skipped} already done in an earlier run, "
        "{duplicates} duplicates of another file ({seconds:.1f} s, {rate:.2f} ECG/s): {out}",
    ),
    "report.batch.no_files": ("心電図ファイルが見つかりません: {dir}", "No ECG files found in {dir}"),
    "report.batch.bad_out": (
        "出力ファイルは .jsonl か .csv にしてください: {path}",
        "The output must end in .jsonl or .csv: {path}",
    ),
    "report.batch.not_dir": ("フォルダではありません: {dir}", "Not a folder: {dir}"),
    "report.no_measurements": ("未計測", "not measured"),
    "report.star_legend": ("（* 閾値以上）", "(* at or above threshold)"),
    "report.table_legend": (
        "赤字・* = 閾値以上。バーはスコア、縦線はその所見の閾値。",
        "Red / * = at or above threshold. Bar = score; tick = that finding's threshold.",
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
        "日本語・同義語・英語で検索（例: 心房細動, AF, ブルガダ）",
        "Search in Japanese, a synonym or English (e.g. 心房細動, AF, Brugada)",
    ),
    "review.ui.added": ("追加した所見（ダブルクリックで削除）", "Added findings (double-click removes)"),
    "review.ui.comment": ("コメント", "Comment"),
    "review.ui.save_comment": ("コメントを保存", "Save comment"),
    "review.ui.final_level": ("医師の判定", "Physician's referral level"),
    "review.ui.suggested_level": ("AI 提案: {level}", "AI suggestion: {level}"),
    "review.ui.no_level": ("（未判定）", "(not set)"),
    "review.ui.needs_exam": ("要追加検査", "Needs further examination"),
    "review.ui.needs_exam_reason": ("理由（例: 心エコー、ホルター心電図）", "Reason (e.g. echo, Holter)"),
    "review.ui.state.unreviewed": ("未確認", "Not reviewed"),
    "review.ui.state.in_progress": ("確認中", "In progress"),
    "review.ui.state.done": ("確認済", "Reviewed"),
    "review.ui.saved": ("確認結果を保存しました（{who}、{when}）", "Review saved ({who}, {when})"),
    "review.ui.unavailable": (
        "確認結果のデータベースが使えないため、確認は記録されません: {reason}",
        "The review database is unavailable, so reviews are not recorded: {reason}",
    ),
    "report.ui.export": ("レポートを書き出す…", "Export report…"),
    "report.ui.print": ("レポートを印刷…", "Print report…"),
    "report.ui.export_title": ("レポートを書き出す", "Export report"),
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
    "worklist.choose": ("フォルダを開く…", "Open folder…"),
    "worklist.stop": ("中止", "Stop"),
    "worklist.col.level": ("判定", "Level"),
    "worklist.col.file": ("ファイル", "File"),
    "worklist.col.finding": ("主な所見", "Top finding"),
    "worklist.col.hr": ("HR", "HR"),
    "worklist.col.review": ("確認", "Review"),
    "worklist.error": ("読込不可", "Unreadable"),
    "worklist.progress": ("{done}/{total} 件を解析", "{done}/{total} analysed"),
    "worklist.done": ("{total} 件の解析が終わりました（{rate:.1f} 件/秒）", "{total} analysed ({rate:.1f} ECG/s)"),
    "worklist.no_model": (
        "AI モデルが使えないため、計測値による判定のみです: {reason}",
        "The AI model is unavailable; levels come from the measurements only: {reason}",
    ),
    "worklist.empty": ("このフォルダに心電図ファイルはありません: {dir}", "No ECG files in {dir}"),
    # --- label catalog, referral flag, signal-quality gate (labels. referral. quality.) -------
    "labels.catalog_invalid": (
        "所見ラベル表を読めません: {file}（{problem}）",
        "The label catalog cannot be used: {file} ({problem})",
    ),
    "labels.rules_invalid": (
        "判定ルール表を読めません: {file}（{problem}）",
        "The referral rule table cannot be used: {file} ({problem})",
    ),
    "labels.review_note": (
        "所見ラベル表と判定区分は提案段階であり、循環器専門医によるレビューが必要です。",
        "The label catalog and its referral categories are a proposal that needs review by a "
        "cardiologist.",
    ),
    "referral.because_label": ("{label}（{level}）", "{label} ({level})"),
    "referral.no_finding": ("異常所見の候補はありません", "No abnormal finding suggested"),
    "referral.paced_measured": ("ペーシングスパイクあり（治療中）", "Pacing spikes (under treatment)"),
    "referral.rule.qtc_bazett_very_long": (
        "QTc（Bazett）{value:.0f} ms：500 ms 以上",
        "QTc (Bazett) {value:.0f} ms: 500 ms or more",
    ),
    "referral.rule.qtc_fridericia_very_long": (
        "QTc（Fridericia）{value:.0f} ms：500 ms 以上",
        "QTc (Fridericia) {value:.0f} ms: 500 ms or more",
    ),
    "referral.rule.qtc_long": (
        "QTc {value:.0f} ms：QT延長（460 ms 以上）",
        "QTc {value:.0f} ms: long QT (460 ms or more)",
    ),
    "referral.rule.qtc_short": (
        "QTc {value:.0f} ms：QT短縮（330 ms 以下）",
        "QTc {value:.0f} ms: short QT (330 ms or less)",
    ),
    "referral.rule.hr_very_low": (
        "心拍数 {value:.0f} /分：高度の徐脈（40 /分未満）",
        "Heart rate {value:.0f} bpm: marked bradycardia (below 40 bpm)",
    ),
    "referral.rule.hr_very_high": (
        "心拍数 {value:.0f} /分：高度の頻脈（150 /分超）",
        "Heart rate {value:.0f} bpm: marked tachycardia (above 150 bpm)",
    ),
    "referral.rule.hr_low": (
        "心拍数 {value:.0f} /分：徐脈（45 /分未満）",
        "Heart rate {value:.0f} bpm: bradycardia (below 45 bpm)",
    ),
    "referral.rule.hr_high": (
        "心拍数 {value:.0f} /分：頻脈（100 /分超）",
        "Heart rate {value:.0f} bpm: tachycardia (above 100 bpm)",
    ),
    "referral.rule.pr_long": (
        "PR {value:.0f} ms：PR延長（200 ms 超）",
        "PR {value:.0f} ms: prolonged PR (above 200 ms)",
    ),
    "referral.rule.pr_very_long": (
        "PR {value:.0f} ms：著明なPR延長（300 ms 以上）",
        "PR {value:.0f} ms: markedly prolonged PR (300 ms or more)",
    ),
    "referral.rule.pr_short": (
        "PR {value:.0f} ms：PR短縮（120 ms 未満）",
        "PR {value:.0f} ms: short PR (below 120 ms)",
    ),
    "referral.rule.qrs_wide": (
        "QRS幅 {value:.0f} ms：幅広いQRS（120 ms 以上）",
        "QRS {value:.0f} ms: wide QRS (120 ms or more)",
    ),
    "referral.rule.axis_left": (
        "QRS電気軸 {value:.0f}°：左軸偏位（−30°〜−90°）",
        "QRS axis {value:.0f}°: left axis deviation (−30° to −90°)",
    ),
    "referral.rule.axis_right": (
        "QRS電気軸 {value:.0f}°：右軸偏位（+120°以上）",
        "QRS axis {value:.0f}°: right axis deviation (+120° or more)",
    ),
    "referral.rule.axis_extreme": (
        "QRS電気軸 {value:.0f}°：北西軸（−90°〜−180°）",
        "QRS axis {value:.0f}°: extreme (northwest) axis (−90° to −180°)",
    ),
    "quality.ok": ("信号品質：良好", "Signal quality: good"),
    "quality.unreadable": ("判定不能（信号品質不良）", "Not assessable (poor signal quality)"),
    "quality.flat": (
        "平坦で信号のない誘導があります: {leads}",
        "Flat lead(s) with no signal: {leads}",
    ),
    "quality.saturated": (
        "振り切れ（飽和）している誘導があります: {leads}",
        "Saturated (clipped) lead(s): {leads}",
    ),
    "quality.lead_off": (
        "電極外れが疑われる誘導があります: {leads}",
        "Lead(s) that look disconnected: {leads}",
    ),
    "quality.noisy": (
        "雑音が強く判読できない誘導があります: {leads}",
        "Lead(s) too noisy to read: {leads}",
    ),
    "quality.too_short": (
        "記録が短すぎます（{duration_s:.1f} 秒。解析には {min_s:.0f} 秒以上が必要）",
        "The recording is too short ({duration_s:.1f} s; the analysis needs at least "
        "{min_s:.0f} s)",
    ),
    "quality.missing_leads": (
        "解析に必要な誘導がありません: {leads}（I・II・V1〜V6 の 8 誘導が必要）",
        "Leads the analysis needs are missing: {leads} (it needs the 8 leads I, II, V1–V6)",
    ),
    # --- measurements (ecg_viewer.signal.measure): why a value is not given --------------
    "meas.no_signal": (
        "測定できません: 使える誘導がありません（平坦または信号なし）。",
        "Not measured: no usable lead (flat or no signal).",
    ),
    "meas.too_few_beats": (
        "測定できません: 検出できた心拍が少なすぎます。",
        "Not measured: too few beats were detected.",
    ),
    "meas.no_p_wave": (
        "P 波を確認できないため測定していません。",
        "Not measured: no consistent P wave.",
    ),
    "meas.no_p_wave_irregular": (
        "P 波を確認できず RR 間隔が不整のため測定していません（心房細動などの可能性）。",
        "Not measured: no consistent P wave and irregular RR intervals (e.g. atrial fibrillation).",
    ),
    "meas.paced": (
        "ペーシング波形のため測定していません。",
        "Not measured: paced rhythm.",
    ),
    "meas.no_qrs_bounds": (
        "QRS の始まり・終わりを決められないため測定していません。",
        "Not measured: the QRS onset or end could not be determined.",
    ),
    "meas.no_t_end": (
        "T 波の終わりを決められないため測定していません。",
        "Not measured: the end of the T wave could not be determined.",
    ),
    "meas.no_limb_leads": (
        "軸の計算に必要な I・II 誘導がありません。",
        "Not measured: the axis needs leads I and II.",
    ),
    "meas.no_axis": (
        "この波の電気軸を決められません。",
        "Not measured: the axis of this wave could not be determined.",
    ),
    "meas.not_measurable": (
        "測定できません。",
        "Not measurable.",
    ),
    "meas.median_title": (
        "代表心拍（中央値, {n} 拍）",
        "Median beat ({n} beats)",
    ),
    "meas.median_dock": ("代表心拍", "Median beats"),
    "meas.median_none": (
        "代表心拍はありません（測定待ち、または心拍を検出できません）。",
        "No median beat (measurements pending, or no beats detected).",
    ),
    "meas.median_legend": (
        "破線: P 波の始まり・終わり（緑）、QRS の始まり・終わり（青）、T 波の終わり（紫）。"
        "全誘導共通の計測点です。",
        "Dashed lines: P onset/end (green), QRS onset/end (blue), T end (magenta), "
        "common to all leads.",
    ),
    # --- analysis pipeline (model worker, analyze command) -----------------------------------
    "analysis.loading": ("AI モデルを読み込んでいます…", "Loading the AI model…"),
    "analysis.ready": ("AI モデル準備完了（{device}）", "AI model ready ({device})"),
    "analysis.running": ("解析中…", "Analysing…"),
    "analysis.not_loaded": (
        "AI モデルを読み込めなかったため、所見候補を表示できません。",
        "The AI model could not be loaded, so no suggestions can be shown.",
    ),
    "analysis.worker_error": (
        "解析中にエラーが発生しました（{error}）。心電図の表示は続けられます。再解析できます。",
        "The analysis failed ({error}). The ECG stays on screen; you can retry.",
    ),
    "analysis.retry": ("再解析", "Retry analysis"),
    "analysis.referral": ("判定", "Referral"),
    "analysis.quality": ("信号品質", "Signal quality"),
    "analysis.suggestions": ("所見候補", "Suggested findings"),
    "analysis.device": ("計算装置: {device}", "Device: {device}"),
    # --- suggestions panel (issue 6) ----------------------------------------------------------
    "suggest.top_k": ("表示する候補数", "Suggestions shown"),
    "suggest.col.finding": ("所見", "Finding"),
    "suggest.col.similarity": ("類似度", "Similarity"),
    "suggest.col.score": ("スコア", "Score"),
    "suggest.legend": (
        "● 太字＝しきい値以上（判定に使用）。灰色（未検証）＝検証データがなく判定に使わない所見。"
        "類似度は心電図と所見文の近さ（−1〜1）、スコアは検証データで較正した値（0〜1）。",
        "● bold = at or above its threshold (used for the referral); grey (not validated) = no "
        "validation data, never used for the referral. Similarity: closeness of ECG and finding "
        "text (−1 to 1); score: calibrated on validation data (0 to 1).",
    ),
    "suggest.synonyms": ("同義語: {synonyms}", "Synonyms: {synonyms}"),
    "suggest.unvalidated_mark": ("（未検証）", " (not validated)"),
    "suggest.unvalidated_tip": (
        "この所見は学習・検証データに例がほとんどなく、しきい値を検証できていません。"
        "順位の参考としてのみ表示し、判定には使いません。",
        "This finding has (almost) no examples in the training/validation data, so no threshold "
        "could be validated: shown for its rank only, never used for the referral flag.",
    ),
    "suggest.tip_scores": (
        "類似度 {similarity:.3f}／スコア {score:.3f}／しきい値 {threshold:.3f}",
        "similarity {similarity:.3f} / score {score:.3f} / threshold {threshold:.3f}",
    ),
    "suggest.no_model": (
        "AI モデルが使えないため、所見候補はありません（計測値による判定のみ）。",
        "No AI model available: no suggestions (referral from measurements only).",
    ),
    "suggest.no_findings": ("しきい値を超えた所見はありません。", "No finding above its threshold."),
    "suggest.query_title": ("所見を入力して照合", "Check a finding"),
    "suggest.query_placeholder": ("例: ブルガダ型、右胸心、AF（Enter で照合）",
                                  "e.g. Brugada pattern, dextrocardia, AF (Enter)"),
    "suggest.query_answer": (
        "「{text}」: 類似度 {similarity:.3f}（{n} 所見中 {rank} 位相当）",
        "'{text}': similarity {similarity:.3f} (would rank {rank} of {n} findings)",
    ),
    "suggest.query_catalog": ("カタログの所見「{label}」として照合しました。",
                              "Matched the catalog finding '{label}'."),
    "suggest.query_free_text": (
        "カタログにない語句です。テキストエンコーダで照合したため、カタログ所見のスコアより信頼性が低い参考値です。",
        "Not a catalog finding: matched through the text encoder, so less reliable than a "
        "catalog label's score.",
    ),
}


def _merge_areas() -> None:
    from ecg_viewer.core.msg import AREA_TABLES

    for area, table in AREA_TABLES:
        twice = sorted(MESSAGES.keys() & table.keys())
        if twice:
            raise RuntimeError(f"message keys of area {area!r} already defined: {twice}")
        MESSAGES.update(table)


_merge_areas()


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
