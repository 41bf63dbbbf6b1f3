"""``ecg-viewer evaluate``: metrics on fold 9/10 and CinC, calibration, export of model_weights/."""

from __future__ import annotations

import argparse

HELP = "help.evaluate"  # the message key of its one-line description
DEVELOPER = True  # its options are described in English (cli: help.developer_note)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ecg_viewer.training.evaluate import build_parser

    build_parser(p)


def run(args: argparse.Namespace) -> int:
    from ecg_viewer.training.evaluate import run as run_eval

    return run_eval(args)
