"""``--help`` of the ``ecg-viewer`` command and its user commands (cli.py, commands/*.py):
argparse's own headings and every option's description, in the language of the messages
(Japanese unless ``--lang en``). The developer commands (train, evaluate, embed-labels) are
described here in one line; their options are described in English."""

MESSAGES: dict[str, tuple[str, str]] = {
    # argparse's own words
    "help.usage_prefix": ("使い方: ", "usage: "),
    "help.positionals": ("引数", "positional arguments"),
    "help.options": ("オプション", "options"),
    "help.help": ("この説明を表示して終了", "show this help message and exit"),
    "help.version": ("バージョンを表示して終了", "show program's version number and exit"),
    "help.commands": ("コマンド（各コマンドの説明: ecg-viewer COMMAND --help）",
                      "command (each command's options: ecg-viewer COMMAND --help)"),
    # the program
    "help.program": (
        "12 誘導心電図ビューア。日本語の所見候補を示します（候補であり、診断ではありません）。"
        "コマンドを付けずにファイルを指定するとウィンドウで開きます。",
        "12-lead ECG viewer with Japanese finding suggestions (suggestions, not a diagnosis). "
        "Without a command, the files given are opened in the window.",
    ),
    "help.lang": ("メッセージの言語（ja: 日本語、en: 英語）", "language of messages (ja, en)"),
    "help.text_model": (
        "ウィンドウの自由文検索に使うテキストエンコーダ（ローカルの transformers モデルのフォルダ。"
        "既定: 同梱の multilingual-e5-small。環境変数 ECG_VIEWER_TEXT_MODEL でも指定可）",
        "the text encoder of the window's free-text queries (a local transformers model folder; "
        "default: the bundled multilingual-e5-small; or the ECG_VIEWER_TEXT_MODEL variable)",
    ),
    "help.verbose": ("デバッグ出力を標準エラー出力に表示", "log debug output to stderr"),
    "help.developer_note": ("開発者向けのコマンドです。オプションの説明は英語です。",
                            "A developer command."),
    # options several commands share
    "help.file": ("心電図ファイル", "ECG file"),
    "help.files": ("心電図ファイル（複数可）", "ECG files"),
    "help.fs_hz": ("サンプリング周波数を記載していない CSV の周波数（Hz。ファイル自身の記載が優先）",
                   "sampling rate (Hz) of a CSV that states none (a file's own rate is kept)"),
    "help.device": ("モデルを動かす装置: auto（CUDA があれば CUDA。既定）、cpu、cuda、cuda:N",
                    "model device: auto (CUDA when available; default), cpu, cuda, cuda:N"),
    "help.weights": ("モデルの重みのフォルダ（既定: 同梱のモデル）",
                     "model weights folder (default: the shipped model)"),
    "help.no_model": ("品質・計測値・計測値による判定のみ（AI の所見候補なし）",
                      "quality, measurements and measurement rules only (no AI suggestions)"),
    "help.layout": ("紙面のレイアウト（既定 3x4）", "page layout (default 3x4)"),
    "help.speed": ("紙送り速度 mm/s（既定 25）", "mm/s (default 25)"),
    "help.gain": ("感度 mm/mV（既定 10）", "mm/mV (default 10)"),
    "help.start": ("表示する最初の秒（既定 0）", "first second shown (default 0)"),
    # info
    "help.info": ("心電図ファイルの内容を表示（形式、誘導、サンプリング周波数、長さ、振幅、メタデータ）",
                  "show what is in an ECG file (format, leads, rate, duration, amplitudes, metadata)"),
    "help.info.file": ("心電図ファイル（.hea, .mwf, .xml, .dcm, .scp, .edf, .csv など）",
                       "ECG file (.hea, .mwf, .xml, .dcm, .scp, .edf, .csv ...)"),
    "help.info.json": ("JSON オブジェクト 1 つで出力", "print one JSON object"),
    # render
    "help.render": ("心電図の紙面（ウィンドウと同じもの）を PNG または SVG に描画",
                    "draw the ECG page (as in the window) to a PNG or SVG file"),
    "help.render.out": ("出力ファイル（.png または .svg）", "output file, .png or .svg"),
    "help.render.chest_gain": ("V1〜V6 の感度 mm/mV（既定: --gain と同じ）",
                               "mm/mV for V1-V6 (default: --gain)"),
    "help.render.filter": (
        "hp0.05 hp0.5 notch50 notch60 lp40 lp100 lp150、'diagnostic'（hp0.05+lp150+notch50）"
        "または 'none'。繰り返すかカンマで区切って指定",
        "hp0.05 hp0.5 notch50 notch60 lp40 lp100 lp150, 'diagnostic' (hp0.05+lp150+notch50) "
        "or 'none'; repeat or comma-separate",
    ),
    "help.render.lead": ("--layout 1 で描く誘導（既定 II）", "the lead of --layout 1 (default II)"),
    "help.render.dpi": ("PNG の解像度 dpi（既定 200）", "PNG resolution (default 200)"),
    # analyze
    "help.analyze": ("心電図ファイルの日本語の所見候補と要精査などの判定を表示（候補であり、診断ではありません）",
                     "suggest Japanese findings and the referral flag for ECG files "
                     "(suggestions, not a diagnosis)"),
    "help.analyze.json": ("ファイルごとに JSON オブジェクト 1 つで出力（JSON Lines）",
                          "one JSON object per file (JSON Lines)"),
    "help.analyze.top": ("表示する所見候補の数（既定 5）", "suggestions to print (default 5)"),
    "help.analyze.prior": (
        "前回心電図との比較: ファイル、'auto'（同じフォルダにある同じ患者 ID の、より前の最新の心電図）"
        "または 'none'（既定）",
        "compare with the patient's prior ECG: a file, 'auto' (the newest earlier ECG with the "
        "same patient ID in the file's folder) or 'none' (default)",
    ),
    # report
    "help.report": ("心電図レポートを作成: PDF（A4 横）、必要なら JSON と FHIR R4 も",
                    "write the ECG report: PDF (A4 landscape), and optionally JSON and FHIR R4"),
    "help.report.out": ("作成する PDF レポート", "PDF report to write"),
    "help.report.json": ("JSON レポートも作成", "also write the JSON report"),
    "help.report.fhir": ("FHIR R4 Bundle（JSON）も作成", "also write a FHIR R4 Bundle (JSON)"),
    "help.report.highpass": ("基線のフィルタ Hz（0.05, 0.5）", "baseline filter Hz (0.05, 0.5)"),
    "help.report.lowpass": ("ローパスフィルタ Hz（40, 100, 150）", "low-pass Hz (40, 100, 150)"),
    "help.report.notch": ("商用電源のノッチフィルタ Hz（50, 60）", "power-line notch Hz (50, 60)"),
    "help.report.db": ("確認結果のデータベース（既定: ユーザーのデータフォルダ）",
                       "review database (default: the user data folder)"),
    "help.report.no_review": ("医師の確認をレポートに含めない", "leave the review out"),
    "help.report.embed_pdf": ("PDF を FHIR の DiagnosticReport に添付（presentedForm）",
                              "attach the PDF to the FHIR DiagnosticReport (presentedForm)"),
    "help.report.prior": (
        "前回心電図との比較: ファイル、'auto'（既定: 同じフォルダか確認結果のデータベースにある、同じ"
        "患者 ID の、より前の最新の心電図）または 'none'",
        "compare with the patient's prior ECG: a file, 'auto' (default: the newest earlier ECG "
        "with the same patient ID in the same folder or the review database, when there is one) "
        "or 'none'",
    ),
    # batch
    "help.batch": ("フォルダ内のすべての心電図ファイルを解析して JSON Lines か CSV に出力（中断後に再開可）",
                   "analyse every ECG file under a folder into JSON Lines or CSV (resumable)"),
    "help.batch.about": (
        "各行にファイル・患者 ID・記録日時。終了コード 0: すべてのファイルを記録（読めないファイルも"
        "理由つきの行として）、1: モデルが使えない・出力に書けない・一時的な理由で記録しなかった"
        "ファイルがある（次回再試行）、2: 引数の誤り、130: 中断（再実行で続きから）。",
        "Each row gives the file, patient ID and recording time. Exit 0: every file recorded "
        "(unreadable ones as rows with their reason); 1: the model cannot be used, the output "
        "cannot be written, or some files were not recorded for a passing reason (retried next "
        "run); 2: bad arguments; 130: stopped (run again to go on)."),
    "help.batch.dir": ("心電図ファイルを探すフォルダ（サブフォルダも探します）",
                       "folder to search (recursively) for ECG files"),
    "help.batch.out": ("結果ファイル: .jsonl または .csv（追記します）",
                       "results file: .jsonl or .csv (appended to)"),
    "help.batch.workers": ("読み込みと計測を行うプロセスの数（既定 0: CPU コアごとに 1 つ）",
                           "worker processes that read and measure (default 0: one per CPU core)"),
    "help.batch.no_progress": ("標準エラー出力に進捗バーを表示しない", "no progress bar on stderr"),
    # audit
    "help.audit": ("確認結果のデータベースの監査証跡を検査（ハッシュチェーン、トリガー、ファイルの完全性）",
                   "check the review database's audit trail (hash chain, triggers, file integrity)"),
    "help.audit.action": (
        "verify: ハッシュチェーンを検査（終了コード 0: 完全、1: 異常、2: データベースなし、"
        "3: 以前の版の形式で未移行）",
        "verify: check the hash chain (exit 0: intact, 1: faults, 2: no database, 3: an earlier "
        "version's format, not upgraded yet)"),
    "help.audit.db": ("確認結果のデータベース（既定: ユーザーのもの）",
                      "review database (default: the user's)"),
    # developer commands: one line each
    "help.train": ("ECG エンコーダを日本語のラベル文に対して学習（CPU、CUDA、torchrun）",
                   "train the ECG encoder against the Japanese label texts (CPU, CUDA, torchrun)"),
    "help.evaluate": ("学習した実行や同梱モデルを評価（top-1/top-5、AUROC、感度・特異度）",
                      "evaluate training runs or the shipped model (top-1/top-5, AUROC, "
                      "sensitivity/specificity)"),
    "help.embed_labels": ("テキストエンコーダでカタログのラベル埋め込み行列を計算し直す",
                          "recompute the label-embedding matrix of the catalog with a text encoder"),
}
