"""``ecg-viewer evaluate``: metrics on fold 9/10 and CinC, calibration, export of model_weights/."""

from __future__ import annotations

import argparse

HELP = "evaluate training runs or the shipped model (top-1/top-5, AUROC, sensitivity/specificity)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ecg_viewer.training.evaluate import build_parser

    build_parser(p)


def run(args: argparse.Namespace) -> int:
    from ecg_viewer.training.evaluate import run as run_eval

    return run_eval(args)
