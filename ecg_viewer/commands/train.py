"""``ecg-viewer train``: train the ECG-text model (see ecg_viewer/training/train.py)."""

from __future__ import annotations

import argparse

HELP = "help.train"  # the message key of its one-line description
DEVELOPER = True  # its options are described in English (cli: help.developer_note)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ecg_viewer.training.train import build_parser

    build_parser(p)


def run(args: argparse.Namespace) -> int:
    from ecg_viewer.training.train import run as run_training

    return run_training(args)
