"""The analysis pipeline, the same for the window, the worklist and every command (Qt-free; torch
only through ``model/``):

- ``factory.make_analyzer(device, weights, load_model)``: the one way to build an :class:`Analyzer`;
- ``analyze.Analyzer``: quality gate -> measurements -> criteria -> model -> fusion -> referral;
- ``files.find_ecg_files(folder, recursive)``: which files of a folder are ECGs (next/previous,
  the worklist, ``batch``);
- ``report_content.build_report_content(...)``: what a report shows (window export, ``report``);
- ``batch``: the folder engine (``ecg-viewer batch`` and the worklist): resumable output,
  per-file errors, abort when the model is unusable, Ctrl-C;
- ``batch_staged``: ``AnalyzerSpec`` (what ``batch`` hands the engine) and the staged run:
  worker processes read and prepare, the model runs on batches here.

Import the submodules directly; this package imports nothing heavy.
"""
