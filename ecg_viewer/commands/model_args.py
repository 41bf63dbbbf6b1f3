"""The model arguments of every command that analyses (``analyze``, ``report``, ``batch``):
``--device``, ``--weights`` and ``--no-model``, and the pipeline they ask for, built by
:func:`ecg_viewer.pipeline.factory.make_analyzer` (the one builder)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ecg_viewer.core.messages import tr

if TYPE_CHECKING:
    from ecg_viewer.pipeline.analyze import Analyzer


def add_model_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", default="auto",
                   help=tr("help.device"))
    p.add_argument("--weights", default=None, metavar="DIR",
                   help=tr("help.weights"))
    p.add_argument("--no-model", action="store_true",
                   help=tr("help.no_model"))


def build_analyzer(args: argparse.Namespace) -> Analyzer:
    """The pipeline the arguments ask for; raises WeightsError (a clear message, no traceback
    in the commands) when the weights folder is missing, incomplete or altered."""
    from ecg_viewer.pipeline.factory import make_analyzer

    return make_analyzer(args.device, args.weights, not args.no_model)
