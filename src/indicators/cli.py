"""The ``indicators`` command.

``indicators build`` parses the raw inputs into ``data/processed``;
``indicators report`` renders the notebooks into ``reports/``. The project root is
``--root``, else ``$INDICATORS_ROOT``, else found like git finds a repository (see
:func:`indicators.config.find_root`). An input error, or no project found, prints one
line and exits with status 2 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from indicators.errors import IndicatorsError

EXIT_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="indicators", description="Indicators of the quartiers of a contrat de ville."
    )
    parser.add_argument(
        "--root",
        help="project root (default: $INDICATORS_ROOT, else the nearest folder at or above"
        " the current directory that holds data/raw/)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="parse data/raw into data/processed")
    build.add_argument(
        "--no-figures", action="store_true", help="skip the PNG/SVG figures of exports/"
    )
    report = commands.add_parser("report", help="render the notebooks into reports/")
    report.add_argument(
        "--quartier",
        action="append",
        dest="quartiers",
        metavar="ID",
        help="quartier id to render (repeatable; default: all)",
    )
    report.add_argument(
        "--jobs", type=int, default=None, help="parallel notebooks (default: cores)"
    )
    return parser


def _run(args: argparse.Namespace) -> int:
    from indicators.config import Paths

    paths = Paths.from_root(args.root)
    if args.command == "build":
        from indicators.build.pipeline import build

        result = build(paths, figures=not args.no_figures)
        counts = ", ".join(f"{name} {len(table)}" for name, table in result.tables.items())
        print(f"indicators build: {paths.processed} ({counts})")
        for note in result.notes:
            print(f"note: {note}")
        return 0
    if args.command == "report":
        from indicators.report.batch import run_reports

        return run_reports(paths, quartiers=args.quartiers, jobs=args.jobs)
    raise AssertionError(args.command)  # pragma: no cover


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except IndicatorsError as error:
        if args.debug:
            raise
        print(f"indicators: error: {error}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("indicators: interrupted; previous outputs left as they were", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The output was piped into a command that stopped reading (e.g. `| head`): the
        # work is done; silence Python's second error on the closed stdout.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
