"""The ``ecg-viewer`` command: the window by default, sub-commands for headless work.

    ecg-viewer [FILE]                 open the viewer (on FILE)
    ecg-viewer info FILE [--json]     what is in an ECG file
    ecg-viewer <command> --help       the other commands (render, analyze, report, batch, train ...)

Each sub-command lives in ``ecg_viewer/commands/<name>.py`` with ``HELP`` (the message key of
its one-line description), ``add_arguments(parser)`` and ``run(args) -> int``; ``--help`` is in
the language of the messages, so the language is set before a parser is built.

One catch-all covers every command and the window: anything unexpected becomes one line on
stderr (Japanese, or English with ``--lang en``) and its traceback goes to the error log
(:mod:`ecg_viewer.core.crash_log`); never a traceback on the terminal. Exit codes: a domain error
that escaped a command 1, anything else unexpected 70 (EX_SOFTWARE), Ctrl-C 130, SIGTERM and
SIGHUP 128 + the signal (143, 129). SIGTERM and SIGHUP (``timeout``, a closed terminal, a
logout) stop a command as Ctrl-C does: an exception, so that a half-written export is removed
(QA 51: its hidden temp file had stayed beside the target for good).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

from ecg_viewer import __version__
from ecg_viewer.core.crash_log import log_file, write_crash_log
from ecg_viewer.core.errors import EcgError
from ecg_viewer.core.messages import language, set_language, text_columns, tr

EXIT_UNEXPECTED = 70  # EX_SOFTWARE

# In the order `--help` lists them. A command whose module is not part of this build is not offered.
COMMANDS = ("info", "render", "analyze", "report", "batch", "audit", "train", "evaluate",
            "embed-labels")


def _module_name(command: str) -> str:
    return "ecg_viewer.commands." + command.replace("-", "_")


def available_commands() -> list[str]:
    return [c for c in COMMANDS if importlib.util.find_spec(_module_name(c)) is not None]


#: argparse's own error forms -> the message that says them in the chosen language
_ARGPARSE_ERRORS = (
    (re.compile(r"the following arguments are required: (?P<args>.+)"), "cli.args_required"),
    (re.compile(r"unrecognized arguments: (?P<args>.+)"), "cli.args_unrecognized"),
    (re.compile(r"argument (?P<arg>[^:]+): invalid choice: '?(?P<value>.*?)'? "
                r"\(choose from (?P<choices>.+)\)"), "cli.arg_invalid_choice"),
    (re.compile(r"argument (?P<arg>[^:]+): invalid \S+ value: '(?P<value>.*)'"),
     "cli.arg_invalid_value"),
    (re.compile(r"argument (?P<arg>[^:]+): expected one argument"), "cli.arg_expected_one"),
)


_NO_LINE_START = set("、。，．）」』】〕・ー々)]},.:;")  # not at a line's start (kinsoku)
_NO_LINE_END = set("（「『【〔([{")  # nor these at its end


def wrap_columns(text: str, width: int) -> list[str]:
    """``text`` (whitespace collapsed) in lines of at most ``width`` terminal columns: broken at
    a space or between two full-width characters (Japanese has no spaces), never inside an
    ASCII word nor before a closing bracket or punctuation (which may pass the width by its own
    two columns); a word wider than the line stands alone."""
    lines: list[str] = []
    line, space = "", False
    for tok in re.findall(r"[!-~]+| |[^ !-~]", " ".join(text.split())):
        if tok == " ":
            space = bool(line)
            continue
        piece = (" " if space else "") + tok
        space = False
        if line and text_columns(line) + text_columns(piece) > width and tok[0] not in _NO_LINE_START:
            carry = ""
            while line and line[-1] in _NO_LINE_END:  # an opening bracket goes down with it
                carry, line = line[-1] + carry, line[:-1]
            lines.append(line)
            piece = carry + tok
            line = ""
        line += piece
    if line:
        lines.append(line)
    return lines


class _Formatter(argparse.HelpFormatter):
    """argparse's help in the chosen language: its "usage: " translated, and lines wrapped by
    terminal columns (argparse counts characters, so Japanese lines ran twice too wide)."""

    def _format_usage(self, usage, actions, groups, prefix):  # type: ignore[no-untyped-def]
        said = tr("help.usage_prefix") if prefix is None else prefix
        stand_in = "\0" * text_columns(said)  # as wide as the words, so the lines below align
        return super()._format_usage(usage, actions, groups, stand_in).replace(stand_in, said, 1)

    def _split_lines(self, text, width):  # type: ignore[no-untyped-def]
        return wrap_columns(text, width)

    def _fill_text(self, text, width, indent):  # type: ignore[no-untyped-def]
        return "\n".join(indent + line for line in wrap_columns(text, width - len(indent)))


class _Parser(argparse.ArgumentParser):
    """argparse with its errors said in the chosen language (「次の引数が必要です: --out」),
    framed with where the usage is; the exit status stays argparse's 2. Its ``--help`` is in
    the chosen language too (headings, -h itself; the commands' options through their message
    keys, core/msg/cli_help.py), so the language must be set before the parser is built."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _Formatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = tr("help.positionals")
        self._optionals.title = tr("help.options")
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help=tr("help.help"))

    def error(self, message: str) -> NoReturn:
        argv = sys.argv[1:] if _ARGV is None else _ARGV
        lang = _lang_of(argv)
        if lang in ("ja", "en"):
            set_language(lang)
        detail = message
        for pattern, key in _ARGPARSE_ERRORS:
            m = pattern.fullmatch(message)
            if m:
                detail = tr(key, **m.groupdict())
                break
        self.print_usage(sys.stderr)
        self.exit(2, tr("cli.usage_error", detail=detail) + "\n")


_ARGV: list[str] | None = None  # the argv main() parses (for the language of an error)


def _lang_of(argv: Sequence[str]) -> str | None:
    """The value of ``--lang en`` or ``--lang=en`` in ``argv`` (QA 34: with "=" an argument
    error was said in Japanese)."""
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
    return None


def _build_parser(commands: Sequence[str]) -> argparse.ArgumentParser:
    parser = _Parser(prog="ecg-viewer", description=tr("help.program"))
    parser.add_argument("--version", action="version", version=f"ecg-viewer {__version__}",
                        help=tr("help.version"))
    parser.add_argument("--lang", choices=("ja", "en"), default=None, help=tr("help.lang"))
    parser.add_argument("-v", "--verbose", action="store_true", help=tr("help.verbose"))
    parser.add_argument("--text-model", metavar="DIR", help=tr("help.text_model"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser,
                                help=tr("help.commands"))
    for name in commands:
        mod = importlib.import_module(_module_name(name))
        line = tr(mod.HELP)  # HELP: the key of the command's one-line description
        space = "" if language() == "ja" else " "  # Japanese sentences join without one
        about = f"{line}{space}{tr('help.developer_note')}" if getattr(mod, "DEVELOPER", False) else line
        if getattr(mod, "ABOUT", None):  # more for the command's own --help (exit codes ...)
            stop = "" if about.endswith(("。", ".")) else ("。" if language() == "ja" else ".")
            about = f"{about}{stop}{space}{tr(mod.ABOUT)}"
        p = sub.add_parser(name, help=line, description=about)
        # also after the command (`ecg-viewer analyze --lang en FILE`); SUPPRESS: when not given
        # here, the value given before the command stays
        p.add_argument("--lang", choices=("ja", "en"), default=argparse.SUPPRESS,
                       help=tr("help.lang"))
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def has_display() -> bool:
    """Whether Qt can open a window here (a platform plugin was chosen, or a display exists)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _run_gui(files: list[str], explicit_lang: bool = False) -> int:
    if importlib.util.find_spec("ecg_viewer.gui.launch") is None:
        print(tr("cli.no_gui"), file=sys.stderr)
        return 2
    if not has_display():
        print(tr("cli.no_display"), file=sys.stderr)
        return 2
    from ecg_viewer.gui.launch import run_gui
    from ecg_viewer.gui.notice_area import install_window_excepthook

    install_window_excepthook()  # exceptions in slots: a notice and the log, the window goes on
    return run_gui(files, explicit_lang=explicit_lang)


def _printable_streams() -> None:
    """A file name that is not UTF-8 (Shift_JIS from a Windows ZIP) is printed with escapes,
    never stops a command with a UnicodeEncodeError (QA 45)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # not on a test's replaced stream
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def main(argv: Sequence[str] | None = None) -> int:
    global _ARGV
    _printable_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    _ARGV = argv
    commands = available_commands()
    lang = _lang_of(argv)
    if lang in ("ja", "en"):  # before any parser is built: its --help is in this language
        set_language(lang)
    # `ecg-viewer`, `ecg-viewer FILE...`, `ecg-viewer --lang en FILE`: the window.
    positional = _positionals(argv)
    if not positional or positional[0] not in commands:
        if any(a in ("-h", "--help", "--version") for a in argv):
            _build_parser(commands).parse_args(argv)
            return 0
        gui = _Parser(prog="ecg-viewer")
        gui.add_argument("--lang", choices=("ja", "en"), default=None)
        gui.add_argument("-v", "--verbose", action="store_true")
        gui.add_argument("--text-model", default=None, metavar="DIR")
        gui.add_argument("files", nargs="*")
        args = gui.parse_args(argv)
        _setup(args)
        if not _use_text_model(args.text_model):
            return 2
        word = next((f for f in args.files if _looks_like_a_command(f)), None)
        if word is not None:  # `ecg-viewer frobnicate` answered "no display found"
            print(tr("cli.unknown_command", word=word, commands=", ".join(commands)),
                  file=sys.stderr)
            return 2
        with log_file():
            return _guarded("window",
                            lambda: _run_gui(args.files, explicit_lang=args.lang is not None))
    # only the command asked for: the others' modules import torch, scipy.stats ... (~1.7 s
    # before `batch` could start its workers)
    args = _build_parser([positional[0]]).parse_args(argv)
    _setup(args)
    if args.command != "embed-labels" and not _use_text_model(getattr(args, "text_model", None)):
        return 2  # given before a command: checked as for the window (QA 42)
    with _stop_signals(), log_file():
        return _guarded(args.command, lambda: int(args._run(args) or 0))


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: raised where the command is, so that the clean-ups of Ctrl-C run (a
    KeyboardInterrupt: ``batch`` stops its workers the same way)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


#: the signals that stop a command as Ctrl-C does (SIGHUP is not on Windows)
STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))


@contextmanager
def _stop_signals() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP raise :class:`Stopped` (only the main thread
    may set handlers; the previous ones are put back)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = [(s, signal.signal(s, _stop)) for s in STOP_SIGNALS]
    try:
        yield
    finally:
        for s, handler in previous:
            signal.signal(s, handler)


def _use_text_model(folder: str | None) -> bool:
    """``--text-model DIR``: the free-text queries' encoder (model/text_encoder, through its
    environment variable); False, said on stderr, when there is no such folder."""
    if folder is None:
        return True
    if not os.path.isdir(folder):
        print(tr("cli.bad_option", detail=tr("cli.opt.text_model", folder=folder)), file=sys.stderr)
        return False
    from ecg_viewer.model.text_encoder import TEXT_MODEL_ENV

    os.environ[TEXT_MODEL_ENV] = os.path.abspath(folder)
    return True


def _guarded(what: str, run: Callable[[], int]) -> int:
    """Run a command (or the window) under the catch-all."""
    try:
        return run()
    except BrokenPipeError:  # output piped into `head` and closed early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Stopped as exc:  # SIGTERM, SIGHUP: what was being written is cleaned up
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except EcgError as exc:  # a domain error a command did not handle: its own message
        logging.getLogger(__name__).warning("%s: %s", what, exc, exc_info=True)
        write_crash_log(exc, f"command {what}")
        print(exc.message(language()), file=sys.stderr)
        return 1
    except Exception as exc:
        path = write_crash_log(exc, f"command {what}")
        print(tr("cli.unexpected", kind=type(exc).__name__, log=path or "-"), file=sys.stderr)
        return EXIT_UNEXPECTED


def _looks_like_a_command(word: str) -> bool:
    """A word given to the window that is no file and cannot be one's name (no suffix, no
    folder): a mistyped command, not an ECG to open."""
    return not os.path.exists(word) and "." not in word and os.sep not in word and "/" not in word


def _positionals(argv: Sequence[str]) -> list[str]:
    """Positional words of argv, skipping the values of global options that take one."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a in ("--lang", "--text-model"):
            skip = True
        elif not a.startswith("-"):
            out.append(a)
    return out


def _setup(args: argparse.Namespace) -> None:
    if getattr(args, "lang", None):
        set_language(args.lang)
    level = logging.DEBUG if getattr(args, "verbose", False) else logging.WARNING
    terminal = logging.StreamHandler()
    terminal.setLevel(level)  # the log file (core/crash_log.log_file) takes INFO too
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s",
                        handlers=[terminal])


if __name__ == "__main__":
    raise SystemExit(main())
