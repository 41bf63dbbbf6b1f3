"""Message texts for all-or-nothing outputs, batch, audit trail, the window's notice area.

key -> (Japanese, English); merged into :data:`ecg_viewer.core.messages.MESSAGES`.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- `ecg-viewer info` (commands/info.py) ------------------------------------------------
    "info.file": ("ファイル", "file"),
    "info.format": ("形式", "format"),
    "info.rate": ("サンプリング周波数", "rate"),
    "info.duration": ("記録時間", "duration"),
    "info.duration_value": ("{seconds:.2f} 秒（{n} サンプル）", "{seconds:.2f} s ({n} samples)"),
    "info.duration_value_clock": ("{clock}（時:分:秒、{n} サンプル）", "{clock} (h:mm:ss, {n} samples)"),
    "info.leads": ("誘導", "leads"),
    "info.other_leads": ("その他のチャネル", "other"),
    "info.range": ("振幅の範囲（mV）:", "range (mV):"),
    "info.in_file": ("ファイル上: {name}, {unit}", "file: {name}, {unit}"),
    "info.meta": ("ファイルの付帯情報:", "meta:"),
    "info.device_statements": ("記録装置の自動解析（原文のまま）", "device statements (as written)"),
    "info.other_meta": ("その他（ファイルの項目名のまま）", "other (as named in the file)"),
    # fields this app writes beside the file's own (QA 67: 「checksum_valid: True」 in Japanese)
    "info.device_qtc_formula": ("記録装置の QTc 補正式", "Device QTc formula"),
    "info.qtc_formula_unstated": ("記載なし", "not stated"),
    "info.checksum": ("波形のチェックサム", "Waveform checksum"),
    "info.checksum_ok": ("一致", "valid"),
    "info.checksum_bad": ("不一致（波形が壊れている可能性があります）",
                          "invalid (the waveform may be damaged)"),
    # --- review database: checks on open, hash chain ------------------------------------------
    "review.damaged": (
        "確認結果のデータベースが破損しています（整合性検査で異常）",
        "the review database is damaged (quick_check failed)",
    ),
    "review.not_writable": (
        "確認結果のフォルダに書き込めません",
        "the review folder cannot be written",
    ),
    "review.triggers_missing": (
        "監査記録を保護する仕組み（トリガー）が削除または変更されています",
        "the triggers protecting the audit trail are missing or altered",
    ),
    "review.chain_absent": (
        "監査記録にハッシュチェーンがありません（古い形式）",
        "the audit trail has no hash chain (old schema)",
    ),
    "review.read_only": (
        "確認結果のデータベースは読み取り専用で開かれています（{reason}）: {path}。"
        "変更は保存されません。管理者に連絡してください。",
        "The review database was opened read-only ({reason}): {path}. Changes are not saved; "
        "contact your administrator.",
    ),
    "audit.verify.intact": (
        "監査記録のハッシュチェーンは完全です: {rows} 行（うち移行時に連結 {migrated} 行）、"
        "最終行 {head_id}、ハッシュ {head_hash}: {path}",
        "The audit hash chain is intact: {rows} rows ({migrated} chained at migration), "
        "last row {head_id}, hash {head_hash}: {path}",
    ),
    "audit.verify.old_schema": (
        "監査記録は以前の版の形式で、ハッシュチェーンがまだありません（{rows} 行）: {path}。"
        "本アプリで一度開くと連結され、その後に検証できます（改ざんは検出されていません）。",
        "The audit trail is in an earlier version's format and has no hash chain yet ({rows} "
        "rows): {path}. Open it once with this app to chain it, then verify (no tampering was "
        "found).",
    ),
    "audit.verify.broken": (
        "監査記録が改ざんまたは破損しています: {n} 件の異常（{rows} 行中）: {path}",
        "The audit trail has been altered or damaged: {n} faults in {rows} rows: {path}",
    ),
    "audit.verify.fault": ("  行 {id}: {kind}", "  row {id}: {kind}"),
    "audit.verify.mismatch_head": (
        "  監査証跡と一致しない判読結果 {n} 件（データベースが直接書き換えられています；保存値 ≠ 証跡の値）:",
        "  {n} review values differ from the audit trail (the database was edited directly; "
        "stored ≠ trail):",
    ),
    "audit.fault.hash": ("行の内容が変更されています", "row content changed"),
    "audit.fault.link": ("前の行とのつながりが切れています（削除・挿入・並べ替え）",
                         "link to the previous row broken (removed, inserted or reordered)"),
    "audit.fault.not_json": ("値が JSON ではありません", "a value is not JSON"),
    "audit.verify.tail_note": (
        "注: 末尾の行の削除はチェーンだけでは分かりません。最終行の番号とハッシュを別に控えて"
        "比べてください。",
        "Note: rows cut off at the end are not visible in the chain alone; keep the last row's "
        "id and hash elsewhere and compare.",
    ),
    "audit.verify.no_db": ("確認結果のデータベースがありません: {path}",
                           "No review database at {path}"),
    # --- batch ------------------------------------------------------------------------------------
    "batch.model_unusable": (
        "AI モデルを使えないため一括解析を中止しました（{reason}）。結果ファイルに失敗は記録して"
        "いません。モデルを直してから同じコマンドを実行すると続きから再開します: {out}",
        "Batch stopped: the AI model cannot be used ({reason}). No file was recorded as failed; "
        "fix the model and run the same command again to resume: {out}",
    ),
    "batch.disk_full": (
        "ディスクの空き容量が足りないため一括解析を中止しました: {out}。書きかけの行は残して"
        "いません（{done} 件は記録済み）。空きを作ってから同じコマンドで再開できます。",
        "Batch stopped: not enough disk space for {out}. No half-written row was left "
        "({done} rows recorded); free some space and run the same command to resume.",
    ),
    "batch.write_failed": (
        "結果ファイルに書き込めないため一括解析を中止しました: {out}（{reason}）。"
        "書きかけの行は残していません（{done} 件は記録済み）。",
        "Batch stopped: cannot write {out} ({reason}). No half-written row was left "
        "({done} rows recorded).",
    ),
    "batch.read_only_target": (
        "結果ファイルが書き込み禁止のため一括解析を始めません: {out}。追記も置き換えもしません。"
        "別のファイル名を指定するか、書き込み禁止を解除してください。",
        "Batch not started: the results file {out} is read-only. Nothing is appended to it or "
        "replaces it; give another file name or make it writable.",
    ),
    "batch.rewrite_failed": (
        "結果ファイル {out} を書き直せないため（{reason}）、前回の後に変更されたファイルの古い行を"
        "削除できません。",
        "Cannot rewrite the results file {out} ({reason}), so the rows of files changed since "
        "the earlier run cannot be taken out.",
    ),
    "batch.changed_kept": (
        "{message}変更された {n} 件は前回の結果のまま残し、解析し直していません。"
        "新しい出力ファイルを指定すると解析し直します。",
        "{message} The {n} changed files keep their earlier results and were not analysed "
        "again; give a new output file to analyse them again.",
    ),
    "batch.no_change_tracking": (
        "この結果ファイル（{out}）は旧版で作られたため、前回の後に変更されたファイルを見つけられず、"
        "新しい列（priority、所見名）も加わりません。変更の検出には新しい出力ファイルを指定してください。",
        "This results file ({out}) was begun by an older version: files changed since the earlier "
        "run cannot be found, and the new columns (priority, finding names) are not added. Give "
        "a new output file for both.",
    ),
    "batch.not_results": (
        "出力先 {out} は既にあり、バッチ結果のファイルではありません。内容を守るため書き込みません。"
        "新しいファイル名を指定してください。",
        "The output {out} exists and is not a batch results file; it is left untouched. "
        "Give a new file name.",
    ),
    "batch.in_use": (
        "この結果ファイルには別の一括解析が書き込み中です: {out}。終わってから実行するか、"
        "別の出力ファイルを指定してください。",
        "Another batch run is writing to {out}; wait for it to finish or choose another "
        "output file.",
    ),
    "batch.io_retry": (
        "ファイルを読み取れませんでした（入出力エラー、再実行で再試行します）: {file}",
        "Could not read the file (I/O error; retried on the next run): {file}",
    ),
    "batch.unexpected": (
        "予期しないエラーで解析できませんでした（再実行で再試行します。詳細はログ）: {file}",
        "Unexpected error analysing the file (retried on the next run; details in the log): "
        "{file}",
    ),
    "batch.retry_pending": (
        "{n} 件は一時的な失敗のため未完了です。同じコマンドをもう一度実行すると再試行します。",
        "{n} files failed for a passing reason and are not marked done; run the same command "
        "again to retry them.",
    ),
    # --- catch-all ----------------------------------------------------------------------------
    "cli.bad_option": (
        "オプションの値が正しくありません: {detail}",
        "Invalid option value: {detail}",
    ),
    # the details of cli.bad_option (commands/render.py, commands/report.py)
    "cli.opt.no_lead": ("--lead {lead}: この記録の誘導は {leads} です", "--lead {lead}: this record has {leads}"),
    "cli.opt.text_model": ("--text-model {folder}: フォルダがありません",
                           "--text-model {folder}: no such folder"),
    "cli.opt.start": ("--start {start:g}: 記録の長さは {seconds:.1f} 秒です",
                      "--start {start:g}: the record is {seconds:.1f} s long"),
    "cli.opt.dpi": ("--dpi {dpi:g}: {lo}〜{hi} の範囲で指定してください",
                    "--dpi {dpi:g}: use {lo}-{hi}"),
    "cli.opt.filter": ("--filter: 不明なフィルタ「{word}」（使えるもの: {choices}）",
                       "--filter: unknown filter {word!r}; use one of {choices}"),
    "cli.opt.at_least": ("{option} {value}: {minimum} 以上を指定してください",
                         "{option} {value}: use {minimum} or more"),
    "cli.opt.choice": ("{option} {value:g}: 使える値は {choices} です",
                       "{option} {value:g}: use one of {choices}"),
    # argparse's own errors, framed (cli.py); the detail is translated where it is a known form
    "cli.usage_error": ("コマンドの指定が正しくありません: {detail}\n使い方: ecg-viewer --help（コマンドごとに ecg-viewer COMMAND --help）",
                        "Invalid command line: {detail}\nUsage: ecg-viewer --help (per command: ecg-viewer COMMAND --help)"),
    "cli.unknown_command": ("「{word}」はコマンドでもファイルでもありません。使えるコマンド: {commands}（ecg-viewer --help）",
                            "{word!r} is neither a command nor a file. Commands: {commands} (ecg-viewer --help)"),
    "cli.args_required": ("次の引数が必要です: {args}", "the following arguments are required: {args}"),
    "cli.args_unrecognized": ("認識できない引数です: {args}", "unrecognized arguments: {args}"),
    "cli.arg_invalid_choice": ("{arg}: 選べない値「{value}」（選べる値: {choices}）",
                               "{arg}: invalid choice {value!r} (choose from {choices})"),
    "cli.arg_invalid_value": ("{arg}: 値として読めません「{value}」", "{arg}: invalid value {value!r}"),
    "cli.arg_expected_one": ("{arg}: 値を 1 つ指定してください", "{arg}: expected one value"),
    "cli.unexpected": (
        "予期しないエラーが起きました（{kind}）。詳細はログにあります: {log}",
        "An unexpected error occurred ({kind}). Details are in the log: {log}",
    ),
    "error.os": (
        "ファイル操作に失敗しました（{reason}）: {file}",
        "A file operation failed ({reason}): {file}",
    ),
    # the reasons of OS errors (core/errors.py os_reason), English as the system says them
    "error.os.enoent": ("ファイルまたはフォルダーがありません", "No such file or directory"),
    "error.os.eacces": ("アクセス権がありません", "Permission denied"),
    "error.os.eperm": ("操作が許可されていません", "Operation not permitted"),
    "error.os.erofs": ("読み取り専用のファイルシステムです", "Read-only file system"),
    "error.os.enospc": ("ディスクに空きがありません", "No space left on device"),
    "error.os.edquot": ("ディスク使用量の上限に達しました", "Disk quota exceeded"),
    "error.os.efbig": ("ファイルが大きすぎます", "File too large"),
    "error.os.eisdir": ("フォルダーです", "Is a directory"),
    "error.os.enotdir": ("フォルダーではありません", "Not a directory"),
    "error.os.eexist": ("すでに存在します", "File exists"),
    "error.os.ebusy": ("使用中です", "Device or resource busy"),
    "error.os.eio": ("入出力エラー", "Input/output error"),
    "error.os.enametoolong": ("ファイル名が長すぎます", "File name too long"),
    "error.os.eloop": ("シンボリックリンクが循環しているか多すぎます",
                       "Too many levels of symbolic links"),
    "error.os.emfile": ("開いているファイルが多すぎます", "Too many open files"),
    "error.os.eagain": ("一時的に使用できません", "Resource temporarily unavailable"),
    "error.os.einval": ("この場所では使えない操作です（無効な引数）", "Invalid argument"),
    # no Python class name ("ValueError") in a clinician's notice: the log names it (QA 67)
    "ui.unexpected": (
        "予期しないエラーが起きました。作業は続けられます。詳細はログにあります。",
        "An unexpected error occurred. You can keep working; details are in the log.",
    ),
    # --- the window's notice area -------------------------------------------------------------
    "notice.count": ("お知らせ {n} 件", "{n} notices"),
    "notice.details": ("詳細…", "Details…"),
    "notice.clear": ("消去", "Clear"),
    "notice.title": ("お知らせ（読み込み・書き出しの失敗など）",
                     "Notices (failed opens, exports ...)"),
    "notice.compare_unexpected": (
        "予期しないエラー。今回の心電図の表示と解析はそのままです。詳細はログにあります。",
        "an unexpected error. The current ECG and its analysis are unchanged; details are in "
        "the log.",
    ),
}
