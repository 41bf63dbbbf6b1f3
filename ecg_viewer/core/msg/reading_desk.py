"""Message texts for the reading desk: layouts, keyboard reading, comparison with the prior ECG.

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
MESSAGES.update({
    # --- layout ---------------------------------------------------------------------------------
    "desk.action.reading_mode": ("読影モード（波形を全幅に）", "Reading mode (page full width)"),
    "desk.action.fit_screen": ("画面に合わせて配置し直す", "Fit the window to the screen"),
    "desk.strip.notice": ("候補であり診断ではありません", "Suggestions, not a diagnosis"),
    "desk.strip.more": ("ほか {n} 件", "{n} more"),
    # --- keyboard reading ------------------------------------------------------------------------
    "desk.menu": ("読影(&R)", "&Reading"),
    "desk.action.next": ("次の症例", "Next case"),
    "desk.no_store": (
        "確認結果のデータベースが使えないため、記録できません（理由は上の通知欄）",
        "Not recorded: the review database is unavailable (the notice above says why)"),
    "desk.action.prev": ("前の症例", "Previous case"),
    # PgDown / PgUp and the toolbar's ◀ / ▶ while a worklist is open (QA 72: F1 listed them as
    # 「次のファイル」 beside 「次の症例」, and they went through the folder alphabetically)
    "desk.action.page_next": ("次の症例（読影順、{press} と同じ）", "Next case (reading order, as {press})"),
    "desk.action.page_prev": ("前の症例（読影順、{press} と同じ）",
                              "Previous case (reading order, as {press})"),
    "desk.action.next_flagged": ("次の未確認の要精査以上・判定不能",
                                "Next unreviewed flagged or unjudged case"),
    # 確認 / 否定: the words of the review dock's lists, the PDF and the FHIR (it said 採用 / 却下)
    "desk.action.confirm": ("上位の所見候補を「確認」にする", "Confirm the top suggestion"),
    "desk.action.reject": ("上位の所見候補を「否定」にする", "Reject the top suggestion"),
    "desk.action.urgent": ("判定: 要至急", "Final level: urgent referral"),
    "desk.action.exam": ("判定: 要精査", "Final level: further examination needed"),
    "desk.action.normal": ("判定: 異常なし", "Final level: no abnormality"),
    "desk.action.worklist": ("作業リストへ移動（Enter で開く）", "Go to the worklist (Enter opens)"),
    "desk.progress": (
        "{pos}/{total} 件目　確認済 {reviewed}/{total}　要精査以上・判定不能の未確認 {flagged}",
        "Case {pos} of {total} · reviewed {reviewed}/{total} · flagged or unjudged, not reviewed: {flagged}",
    ),
    # no case of the worklist open yet ("Case 0 of 10" had said so)
    "desk.progress_none": (
        "全 {total} 件　確認済 {reviewed}/{total}　要精査以上・判定不能の未確認 {flagged}",
        "{total} cases · reviewed {reviewed}/{total} · flagged or unjudged, not reviewed: {flagged}",
    ),
    "desk.progress_tip": ("解析済 {analysed}/{total} 件", "{analysed}/{total} analysed"),
    # the empty page while a worklist waits for its first case
    "desk.empty_worklist": ("J で作業リストの最初の症例を開きます（行のダブルクリックでも開けます）。",
                            "Press J to open the worklist's first case (or double-click a row)."),
    "desk.no_worklist": (
        "作業リストがありません。フォルダを作業リストとして開いてください（Ctrl+Shift+O）。",
        "No worklist: open a folder as a worklist (Ctrl+Shift+O).",
    ),
    "desk.last_case": ("作業リストの最後の症例です。", "This is the last case in the worklist."),
    "desk.first_case": ("作業リストの最初の症例です。", "This is the first case in the worklist."),
    "desk.unreadable_left": ("未確認の要精査以上・判定不能なし（読込不可 {n} 件）",
                             "No flagged case left to review; {n} unreadable"),
    "desk.changed_on_disk": ("一覧の解析後に変更されたファイルを開き、解析し直します: {name}",
                             "Opening a file changed since the list was analysed, to analyse it"
                             " again: {name}"),
    "desk.no_flagged_left": ("未確認の要精査以上・判定不能の症例はもうありません。",
                             "No unreviewed flagged or unjudged case is left."),
    "desk.no_suggestion": ("所見候補がまだありません（解析中か、モデルが使えません）。",
                           "No suggestions yet (analysing, or the model is unavailable)."),
    "desk.all_decided": ("すべての所見候補を確認済みです。", "Every suggestion has been decided."),
    "desk.decided.confirmed": ("確認: {label}", "Confirmed: {label}"),
    "desk.decided.rejected": ("否定: {label}", "Rejected: {label}"),
    "desk.late_flagged": (
        "解析が進み、今の位置より前に並んだ未確認の要至急・要精査・判定不能の症例を先に開きました。",
        "Opened first a flagged or unjudged case not yet reviewed that the analysis has since "
        "placed above the current one.",
    ),
    "desk.level_set": ("判定を「{level}」にしました（保存済み）", "Final level set to {level} (saved)"),
    # what was not done comes first: the status bar cuts the end of a long line (QA 61: 「…もう一度
    # W …」, the words saying nothing was stored were the ones cut)
    "desk.level_confirm": (
        "まだ保存していません。もう一度 {press} で「{level}」にします（AI の判定は「{ai}」）",
        "Not saved yet: press {press} again to set {level} (the AI's level is {ai})",
    ),
})
