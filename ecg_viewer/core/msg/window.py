"""Message texts for the window and the command line.

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {
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
    # --- viewer window (ui.) ----------------------------------------------------------------
    "ui.app_title": ("心電図ビューア", "ECG Viewer"),
    "ui.page.highpass": ("基線補正 {hz:g} Hz", "HP {hz:g} Hz"),
    "ui.page.lowpass": ("高域遮断 {hz:g} Hz", "LP {hz:g} Hz"),
    "ui.page.notch": ("ハム除去 {hz:g} Hz", "notch {hz:g} Hz"),
    "ui.page.unfiltered": ("なし（生波形）", "none (raw signal)"),
    "ui.page.filters": ("フィルタ", "Filters"),
    # the filters change what is drawn, never what is measured (the unfiltered signal's)
    "ui.page.display_only": ("表示のみ。計測値はフィルタ前の信号から",
                             "display only; measured on the unfiltered signal"),
    "ui.page.gain": ("{gain:g} mm/mV", "{gain:g} mm/mV"),
    "ui.page.gain_split": ("肢誘導 {limb:g} mm/mV・胸部誘導 {chest:g} mm/mV",
                           "limb {limb:g} mm/mV, chest {chest:g} mm/mV"),
    "ui.page.missing_lead": ("{lead}（記録なし）", "{lead} (not recorded)"),
    "ui.page.window_clock": ("{start}–{end} / 全 {total}（時:分:秒）", "{start}–{end} of {total} (h:mm:ss)"),
    "ui.page.window": ("{start:.1f}–{end:.1f} 秒 / 全 {total:.1f} 秒", "{start:.1f}–{end:.1f} s of {total:.1f} s"),
    "ui.caliper.time": ("{ms:.0f} ms（{bpm:.0f} /分）", "{ms:.0f} ms ({bpm:.0f} bpm)"),
    "ui.caliper.time_zero": ("0 ms", "0 ms"),
    # a second caliper click that measures nothing (gui/page_view.py click_mm)
    "ui.caliper.outside": ("2 点目は 1 点目と同じ波形の上をクリックしてください（キャリパーは置かれていません）",
                           "Click the second point on the same trace as the first (no caliper placed)."),
    "ui.caliper.empty": ("2 点が同じ位置です。キャリパーは置かれていません",
                         "Both points are at the same place: no caliper placed."),
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
    "ui.action.scroll_start": ("記録の最初へ", "To the record's start"),
    "ui.action.scroll_end": ("記録の最後へ", "To the record's end"),
    "ui.action.raw": ("生波形（フィルタ解除）", "Raw signal (filters off)"),
    "ui.action.diagnostic": ("診断用 0.05–150 Hz＋ハム", "Diagnostic 0.05–150 Hz + notch"),
    "ui.action.caliper_time": ("時間キャリパー", "Time caliper"),
    "ui.action.caliper_amp": ("振幅キャリパー", "Amplitude caliper"),
    "ui.action.caliper_clear": ("キャリパーをすべて消去", "Remove all calipers"),
    "ui.action.screen_scale": ("画面の実寸設定…", "Screen scale…"),
    "ui.action.shortcuts": ("キーボード操作", "Keyboard shortcuts"),
    "ui.action.about": ("バージョン情報…", "About ECG Viewer…"),
    # Help → About (gui/about_dialog.py)
    "ui.about.title": ("バージョン情報", "About ECG Viewer"),
    "ui.about.app_version": ("アプリのバージョン", "App version"),
    "ui.about.model_version": ("モデルのバージョン", "Model version"),
    "ui.about.weights_sha256": ("モデルの重みの sha256", "Model weights sha256"),
    "ui.about.catalog_version": ("ラベルカタログのバージョン", "Label catalog version"),
    "ui.about.limits_title": ("モデルの限界", "Limits of the model"),
    # the limits, for clinicians: figures from model_weights/manifest.json and metrics.json
    "ui.about.limit.training": (
        "学習に使った心電図は {source} の {n_train:,} 件です（海外の公開研究用データベースで、"
        "日本の患者さんのデータは含みません）。判定する所見は {n_labels} 種類です。",
        "It was trained on {n_train:,} ECGs from {source}, a public research database from "
        "outside Japan; no Japanese patients were included. It scores {n_labels} findings.",
    ),
    "ui.about.limit.measured": (
        "学習に使っていない同じデータベースの {n_test} 件で確かめた結果: 正しい所見が第 1 候補に"
        "入ったのは {top1:.0%}、上位 5 件に入ったのは {top5:.0%}、所見ごとの識別能（AUROC）の"
        "平均は {auroc:.2f} でした（{n_auroc} 所見の平均）。洞調律のようなよくある所見が上位に"
        "来やすいため、実際より良く見える数字です。",
        "Measured on {n_test} ECGs of the same database that were not used for training: a "
        "correct finding was the first suggestion in {top1:.0%} and among the top five in "
        "{top5:.0%}; the mean AUROC over {n_auroc} findings was {auroc:.2f}. Common findings "
        "such as sinus rhythm are often near the top, which flatters these figures.",
    ),
    "ui.about.limit.referral": (
        "同じ {n_test} 件で、要精査以上に当たる所見のある心電図のうち {abnormal:.0%} を要精査以上と"
        "判定しました（見逃しがあります）。正常心電図でも {normal:.0%} を要精査以上と判定しました。",
        "On the same {n_test} ECGs it suggested further examination or more for {abnormal:.0%} "
        "of the ECGs with a finding that needs it (so it misses some), and for {normal:.0%} of "
        "normal ECGs.",
    ),
    "ui.about.limit.external": (
        "別の国や施設の心電図 {n_external} 件では、上位 5 件に正しい所見が入ったのは {top5:.0%}、"
        "AUROC の平均は {auroc:.2f} に下がりました。施設が変わると精度は下がると考えてください。",
        "On {n_external} ECGs from other countries and hospitals, a correct finding was among "
        "the top five in only {top5:.0%} and the mean AUROC fell to {auroc:.2f}: expect less "
        "on ECGs from a new site.",
    ),
    "ui.about.limit.weak": (
        "苦手な所見（AUROC {cut:.2f} 未満）: {names}。",
        "Weak findings (AUROC below {cut:.2f}): {names}.",
    ),
    "ui.about.limit.unvalidated": (
        "{n_labels} 種類のうち {n_unmeasured} 種類は、確かめられる心電図が {min_pos} 件未満で"
        "精度を測れていません。「（未検証）」と表示される所見は検証データがなく、判定には使いません。",
        "The accuracy of {n_unmeasured} of the {n_labels} findings could not be measured (fewer "
        "than {min_pos} test ECGs each). Findings shown as \"not validated\" have no "
        "validation data and are not used for the referral level.",
    ),
    "ui.about.limit.input": (
        "12 誘導で {min_s:g} 秒以上の記録が必要です。雑音などの記録の質はモデルではなく別の"
        "チェックで判断します。",
        "It needs all 12 leads and at least {min_s:g} s of recording. It does not judge signal "
        "quality; a separate check does.",
    ),
    "ui.about.limit.card": ("詳しくはモデルカード（英語）をご覧ください: {path}",
                            "Details are in the model card: {path}"),
    # the notice strip's count when there is one (notice.count says "{n} notices")
    "ui.notice.count_one": ("お知らせ 1 件", "1 notice"),
    "ui.about.no_metrics": ("モデルの評価結果を読めませんでした（{path}）。",
                            "The model's measured results could not be read ({path})."),
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
    "ui.open.only_first": ("最初のファイルだけを開きました（ほか {n} 件は開いていません。複数はフォルダごとワークリストで開けます）",
                           "Only the first file was opened ({n} more were not; a folder opens as a worklist)"),
    "ui.open.rate_title": ("サンプリング周波数", "Sampling rate"),
    "ui.open.rate_label": ("{file} にはサンプリング周波数の記載がありません。\n記録したときの周波数（Hz）を入力してください:",
                           "{file} states no sampling rate.\nThe rate it was recorded at (Hz):"),
    "ui.open.loaded": ("{file} を開きました（{fmt}、{fs:g} Hz、{dur:.1f} 秒）", "Opened {file} ({fmt}, {fs:g} Hz, {dur:.1f} s)"),
    "ui.open.kept_previous": ("表示中の心電図はそのままです。", "The ECG on screen is unchanged."),
    "ui.open.no_more_files": ("このフォルダにほかの心電図ファイルはありません。", "No other ECG file in this folder."),
    "ui.empty": ("心電図ファイルを開いてください（ファイル→開く、またはここへドラッグ＆ドロップ）。",
                 "Open an ECG file (File → Open, or drag and drop it here)."),
    "ui.header.device_reading": ("記録装置の自動解析（原文）", "Cart's own reading (verbatim)"),
    "ui.header.patient_id": ("患者ID", "Patient ID"),
    "ui.header.name": ("氏名", "Name"),
    "ui.header.sex": ("性別", "Sex"),
    "ui.header.sex_m": ("男", "M"),
    "ui.header.sex_f": ("女", "F"),
    "ui.header.age": ("年齢", "Age"),
    "ui.header.age_disagree": ("{age:.0f} 歳 ※", "{age:.0f} y*"),
    "ui.header.age_disagree_tip": (
        "ファイルの年齢は {age:.0f} 歳、生年月日（{birth}）からは {by_birth:.0f} 歳で、一致しません",
        "The file states {age:.0f} y; its birth date ({birth}) gives {by_birth:.0f} y"),
    "ui.header.age_value": ("{age:.0f} 歳", "{age:.0f} y"),
    "ui.header.recorded_at": ("記録日時", "Recorded"),
    "ui.header.device": ("装置", "Device"),
    "ui.header.file": ("ファイル", "File"),
    "ui.header.format": ("形式", "Format"),
    "ui.header.signal": ("信号", "Signal"),
    "ui.header.signal_value_clock": ("{fs:g} Hz・{clock}（時:分:秒）・{n} 誘導",
                                     "{fs:g} Hz, {clock} (h:mm:ss), {n} leads"),
    "ui.header.signal_value": ("{fs:g} Hz・{dur:.1f} 秒・{n} 誘導", "{fs:g} Hz, {dur:.1f} s, {n} leads"),
    "ui.header.derived": ("計算誘導: {leads}", "Computed: {leads}"),
    "ui.header.missing": ("欠落誘導: {leads}", "Missing: {leads}"),
    "ui.header.unknown": ("—", "—"),
    "ui.meas.title": ("計測値", "Measurements"),
    "ui.meas.hr": ("心拍数", "HR"),
    "ui.meas.pr": ("PR", "PR"),
    "ui.meas.qrs": ("QRS", "QRS"),
    # the header names the correction, as the banner and the PDF do (QA 36: "QT/QTc 466/485"
    # under a banner citing QTc (Fridericia) 478)
    "ui.meas.qt": ("QT/QTc(B)", "QT/QTc(B)"),
    "ui.meas.axis": ("電気軸", "Axis"),
    # the heart rate as the referral banner writes it (findings: "心拍数 48 /分", "48 bpm")
    "ui.meas.rate_value": ("{value:.0f} /分", "{value:.0f} bpm"),
    # the QRS-adjusted QTc as a figure of its own, when its confidence is low (header.py)
    "ui.meas.qtc_modified_label": ("QRS幅補正QTc {value:.0f} ms", "QRS-adjusted QTc {value:.0f} ms"),
    "ui.meas.pending": ("計測中…", "Measuring…"),
    "ui.meas.failed": ("計測値なし: この心電図は自動計測できませんでした（{reason}）",
                       "No measurements: this ECG could not be measured automatically ({reason})"),
    "ui.meas.na": ("—", "—"),
    "ui.suggest.title": ("AI 所見候補", "AI suggestions"),
    "ui.suggest.placeholder": ("心電図を開くと、モデルによる所見候補と要精査などの判定がここに表示されます。",
                               "The model's suggested findings and the referral flag appear here when an ECG is open."),
    "ui.suggest.busy": ("解析中…", "Analysing…"),
    # the level each finding raises when it is shown (its 区分), not a judgement of this ECG:
    # the PDF's column has the same name
    "ui.suggest.referral": ("区分", "Category"),
    "ui.suggest.error": ("解析できませんでした: {error}", "Analysis failed: {error}"),
    "ui.status.zoom_small": ("倍率 {pct:.0f}%（1 mm = {px:.2f} 画素）— F11 で波形を全幅に",
                             "Zoom {pct:.0f}% (1 mm = {px:.2f} px) — F11 for the page full width"),
    "ui.status.zoom": ("倍率 {pct:.0f}%（1 mm = {px:.2f} 画素）", "Zoom {pct:.0f}% (1 mm = {px:.2f} px)"),
    # the keys: gui/caliper_keys.py (QA 72: a caliper could be placed with a mouse only)
    "ui.status.caliper_hint_time": (
        "時間キャリパー: 始点と終点をクリック、またはキー ←→↑↓ と Enter（Shift: 5 mm、Esc: 中止）",
        "Time caliper: click start and end, or keys ←→↑↓ and Enter (Shift: 5 mm; Esc cancels)"),
    "ui.status.caliper_hint_amp": (
        "振幅キャリパー: 2 点をクリック、またはキー ↑↓（Ctrl: 誘導）と Enter（Shift: 5 mm、Esc: 中止）",
        "Amplitude caliper: click two levels, or keys ↑↓ (Ctrl: lead) and Enter (Shift: 5 mm; "
        "Esc cancels)"),
    "ui.scale.title": ("画面の実寸設定", "Screen scale"),
    "ui.scale.explain": ("画面上の線の長さを定規で測り、100 mm になるように調整してください。\n"
                         "正しく設定すると 25 mm/s・10 mm/mV が紙と同じ大きさで表示されます。",
                         "Measure the bar on screen with a ruler and adjust it to 100 mm.\n"
                         "Then 25 mm/s and 10 mm/mV appear at the size of paper."),
    "ui.scale.px_per_mm": ("1 mm あたりの画素数", "Pixels per mm"),
    "ui.scale.from_dpi": ("画面の DPI から（{dpi:.0f} dpi）", "From the screen DPI ({dpi:.0f} dpi)"),
    "ui.scale.measured": ("定規で測った長さ（mm）", "Length measured with a ruler (mm)"),
    # the key list (F1, gui/shortcuts_dialog.py): made from the actions; these name the keys
    # that are on no menu
    "ui.keys.col_key": ("キー", "Key"),
    "ui.keys.col_action": ("操作", "Action"),
    "ui.keys.other": ("ツールバーとキーボード", "Toolbar and keyboard"),
    "ui.action.speed_cycle": ("記録速度を切り替え（12.5 → 25 → 50 mm/s）",
                              "Next paper speed (12.5 → 25 → 50 mm/s)"),
    "ui.action.gain_up": ("感度を上げる（全誘導）", "Gain up (all leads)"),
    "ui.action.gain_down": ("感度を下げる（全誘導）", "Gain down (all leads)"),
    "ui.action.escape": ("キャリパーの操作を中止", "Cancel the caliper being placed"),
    "ui.render.written": ("{out} に書き出しました（{page}）", "Wrote {out} ({page})"),
    # the header's figures explained (gui/header.MEAS_TIPS)
    "ui.meas.tip.hr": ("心拍数: 1 分間の心拍の数（目安 50〜100 /分。少ないと徐脈、多いと頻脈）",
                       "Heart rate: beats per minute (usually 50–100/min, fewer: bradycardia, "
                       "more: tachycardia)"),
    "ui.meas.tip.pr": ("PR 間隔: P 波の始まりから QRS 波の始まりまで（目安 120〜200 ms。長いと I 度房室ブロック）",
                       "PR interval: P onset to QRS onset (usually 120–200 ms, longer: "
                       "first-degree AV block)"),
    "ui.meas.tip.qrs": ("QRS 幅: 心室が興奮する時間（目安 120 ms 未満。120 ms 以上は脚ブロックなど）",
                        "QRS duration: ventricular depolarisation (usually under 120 ms, 120 ms "
                        "or more: bundle branch block and others)"),
    "ui.meas.tip.qt": (
        "QT 間隔: QRS 波の始まりから T 波の終わりまで。QTc(B) は心拍数で補正した QT（Bazett 式: "
        "QT ÷ √RR）。このアプリは QTc 460 ms 以上を QT 延長とします",
        "QT interval: QRS onset to T end. QTc(B) is the QT corrected for the heart rate "
        "(Bazett: QT ÷ √RR). This application calls a QTc of 460 ms or more long QT",
    ),
    "ui.meas.tip.axis": (
        "電気軸: P 波・QRS 波・T 波の前額面での平均の向き（QRS の目安 −30°〜+90°。−30° より左は"
        "左軸偏位、+90° より右は右軸偏位）",
        "Axis: the mean frontal-plane direction of P, QRS and T (QRS usually −30° to +90°, left "
        "of −30°: left axis deviation, right of +90°: right axis deviation)",
    ),
    "ui.page.row_pitch": ("行の間隔 {mm:g} mm", "rows {mm:g} mm apart"),
    "ui.page.description": ("{layout}、{speed:g} mm/s、{gain}、{seconds:g} 秒",
                            "{layout}, {speed:g} mm/s, {gain}, {seconds:g} s"),
    "ui.render.bad_out": ("出力ファイルの拡張子は .png か .svg にしてください: {out}",
                          "The output must end in .png or .svg: {out}"),
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
    # the worklist's review column (gui/worklist_panel.py): in English a mark, as the words
    # ("Not reviewed", "Reviewed (Further exam)") took half of a 250-px dock in every row; the
    # state's name (review.ui.state.*) is the cell's tooltip
    "ui.worklist.unreviewed": ("未確認", "—"),
    "ui.worklist.in_progress": ("確認中", "◐"),
    "ui.worklist.done": ("確認済", "✓"),
    # the reader's level, short: a 270-px column showed 「確認…」 for every level (the level on
    # hover only); the whole state is the cell's tooltip
    "ui.worklist.done_as": ("✓ {level}", "✓ {level}"),
}
