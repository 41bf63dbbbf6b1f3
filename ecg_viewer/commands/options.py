"""Option checks shared by the commands: a whole number with a lower bound (``--top``,
``--workers``) is refused by the parser itself, in the chosen language, with argparse's exit
status 2 (QA 51: ``analyze --top -3`` had printed every one of the 112 suggestions)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from ecg_viewer.core.messages import tr


class AtLeast(argparse.Action):
    """``add_argument("--top", type=int, action=AtLeast, minimum=1)``: a value under
    ``minimum`` is a usage error 「--top -3: 1 以上を指定してください」."""

    def __init__(self, option_strings: Sequence[str], dest: str, *, minimum: int,
                 **kwargs: Any) -> None:
        self.minimum = minimum
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        if values < self.minimum:
            parser.error(tr("cli.opt.at_least", option=option_string or self.dest,
                            value=values, minimum=self.minimum))
        setattr(namespace, self.dest, values)
