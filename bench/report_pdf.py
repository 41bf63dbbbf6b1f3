"""Time to lay out and write the PDF report, once the analysis is there.

    .venv/bin/python bench/report_pdf.py [--runs N]

For each bundled sample: the analysis with the shipped model once (not timed), then the
report's PDF made N times in Japanese and in English (``report.pdf.pdf_bytes``: both sheets,
the ECG page's traces and grid, the text fitting of the banner, the suggestions table and the
measurements with their notes). Prints the median and the largest time per language and the
PDF's size. The window's export and ``ecg-viewer report`` spend this on top of the analysis.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecg_viewer.core.paths import samples_dir
from ecg_viewer.io import read_ecg
from ecg_viewer.pipeline.factory import make_analyzer
from ecg_viewer.pipeline.report_content import build_report_content
from ecg_viewer.report.pdf import pdf_bytes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args(argv)
    analyzer = make_analyzer(device="cpu")
    files = sorted(samples_dir().glob("*.hea"))
    print(f"PDF report, {args.runs} runs per file and language (ms: median / largest; size)")
    for f in files:
        record = read_ecg(f)
        content = build_report_content(record, analyzer.analyze(record))
        cells = []
        for lang in ("ja", "en"):
            times, size = [], 0
            for _ in range(args.runs):
                t0 = time.perf_counter()
                size = len(pdf_bytes(content, lang=lang))
                times.append(1000.0 * (time.perf_counter() - t0))
            cells.append(f"{lang} {statistics.median(times):6.1f} / {max(times):6.1f} ms "
                         f"{size / 1024:5.0f} KiB")
        print(f"   {f.name:14s} " + "   ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
