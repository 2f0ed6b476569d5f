"""The ``indicators`` command.

``indicators build`` parses the raw inputs into ``data/processed``;
``indicators report`` renders the notebooks into ``reports/``; the yearly cycle of the
comité adds ``indicators suivi --annee N`` (the follow-up form, in ``modeles/``),
``indicators indicateurs`` (the template of the commune's own indicators) and
``indicators record <file>`` (a new raw input's line in ``SHA256SUMS``);
``indicators run NOTEBOOK -p NAME VALUE`` runs one notebook with parameters. The project root is
``--root``, else ``$INDICATORS_ROOT``, else found like git finds a repository (see
:func:`indicators.config.find_root`). An input error, or no project found, prints one
line and exits with status 2 (``--debug`` shows the traceback).

Every command holds the project lock (:mod:`indicators.build.lock`) for their whole run.
Exit statuses:

====  ====================================================================================
0     done
1     ``report``: some reports failed (their previous versions are kept; see the index)
2     bad input or parameter, stale or damaged ``data/processed`` (one line names it)
3     the project is in use by another run (after ``--wait`` seconds; the line names it)
4     the system refused: a folder is read-only, the disk is full, the output cannot be
      written (one line names the file); the previous outputs are intact
130   interrupted (Ctrl-C); 143: stopped by ``SIGTERM`` (same clean-up as Ctrl-C)
====  ====================================================================================
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from indicators.errors import IndicatorsError

EXIT_INPUT = 2
EXIT_BUSY = 3
EXIT_SYSTEM = 4


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
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="when another run holds the project, wait up to SECONDS for it (default: 0)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="parse data/raw into data/processed")
    build.add_argument(
        "--no-figures", action="store_true", help="skip the PNG/SVG figures of exports/"
    )
    build.add_argument(
        "--force",
        action="store_true",
        help="make every export again (default: carry over those whose inputs did not change)",
    )
    build.add_argument(
        "--jobs", type=int, default=None, help="processes drawing the figures (default: cores)"
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
    report.add_argument(
        "--rebuild",
        action="store_true",
        help="when data/processed is older than data/raw or damaged, run the build first",
    )
    report.add_argument("--annee", type=int, help="year of the follow-up the dossier presents")
    report.add_argument("--date-comite", help="date of the comité de pilotage (AAAA-MM-JJ)")
    suivi = commands.add_parser("suivi", help="write the follow-up form of a year (modeles/)")
    suivi.add_argument("--annee", type=int, required=True, help="year to follow up")
    suivi.add_argument("--out", help="the .xlsx to write (default: modeles/suivi_<annee>.xlsx)")
    indicateurs = commands.add_parser(
        "indicateurs", help="write the empty template of the commune's indicators (modeles/)"
    )
    indicateurs.add_argument("--out", help="folder to write into (default: modeles/)")
    run = commands.add_parser(
        "run", help="run one notebook with parameters (papermill -p), write .ipynb and HTML"
    )
    run.add_argument("template", help="notebook name in notebooks/ (fiche_quartier) or path")
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        dest="parameters",
        help="parameter of the notebook's parameters cell (repeatable)",
    )
    run.add_argument(
        "-o", "--out", help="executed notebook to write (default: runs/<report>.ipynb)"
    )
    record = commands.add_parser("record", help="record a raw input's sha256 in SHA256SUMS")
    record.add_argument("file", help="a file under data/raw, e.g. data/raw/suivi/suivi_2025.xlsx")
    return parser


def _build(paths: object, figures: bool, force: bool = False, jobs: int | None = None) -> None:
    from indicators.build.pipeline import build

    result = build(paths, figures=figures, force=force, jobs=jobs)  # type: ignore[arg-type]
    rows = {name: info["rows"] for name, info in result.manifest["tables"].items()}
    counts = ", ".join(f"{name} {rows[name]}" for name in result.tables)
    _out(f"indicators build: {paths.processed} ({counts})")  # type: ignore[attr-defined]
    if result.up_to_date:
        _out(
            "indicators build: raw inputs and code unchanged, outputs intact: nothing to do "
            "(--force builds again)"
        )
    elif result.reused:
        _out(
            f"indicators build: {len(result.reused)} exports unchanged since the previous "
            "build, carried over (--force makes them again)"
        )
    for note in result.notes:
        _out(f"note: {note}")


def _run(args: argparse.Namespace) -> int:
    from indicators.build.lock import project_lock
    from indicators.config import Paths

    paths = Paths.from_root(args.root)
    with project_lock(paths.root, f"indicators {args.command}", wait=args.wait):
        if args.command == "build":
            _build(paths, figures=not args.no_figures, force=args.force, jobs=args.jobs)
            return 0
        if args.command == "report":
            from indicators.report.batch import run_reports
            from indicators.report.plan import report_parameters

            parameters = report_parameters(args.annee, args.date_comite)

            if args.rebuild:
                from indicators.report.staleness import staleness
                from indicators.report.tables import load_manifest

                try:
                    stale = any(staleness(paths, load_manifest(paths)))
                except IndicatorsError:
                    stale = True
                if stale:
                    _out("indicators report: data/processed is not current; building first")
                    _build(paths, figures=True)
            return run_reports(
                paths, quartiers=args.quartiers, jobs=args.jobs, echo=_out, parameters=parameters
            )
        if args.command == "run":
            from indicators.report.run_one import print_outcome, run_template

            return print_outcome(run_template(paths, args.template, args.parameters, args.out))
        if args.command in ("suivi", "indicateurs", "record"):
            return _run_cycle(paths, args)
    raise AssertionError(args.command)  # pragma: no cover


def _run_cycle(paths: Any, args: argparse.Namespace) -> int:
    """Run ``indicators suivi``, ``indicators indicateurs`` or ``indicators record``."""
    if args.command == "suivi":
        from indicators.build.suivi_workbook import write_suivi_template
        from indicators.errors import ParameterError

        if not 2000 <= args.annee <= 2100:
            raise ParameterError(f"--annee expects a year such as 2025, got {args.annee}")
        path, rows, prefilled = write_suivi_template(
            paths, args.annee, Path(args.out) if args.out else None
        )
        origin = f"pré-rempli depuis suivi_{args.annee - 1}.xlsx" if prefilled else "vide"
        _out(f"indicators suivi: {path} ({rows} lignes quartier × action, {origin})")
        return 0
    if args.command == "indicateurs":
        from indicators.build.suivi_workbook import write_indicator_templates

        written = write_indicator_templates(paths, Path(args.out) if args.out else None)
        _out("indicators indicateurs: " + ", ".join(str(p) for p in written))
        return 0
    from indicators.build.record import record_raw

    relative, digest, status = record_raw(paths, args.file)
    _out(f"indicators record: data/raw/{relative} {status} dans SHA256SUMS ({digest[:12]}…)")
    return 0


class _OutputError(Exception):
    """The standard output cannot be written (full disk, closed reader, bad device)."""


def _out(line: str) -> None:
    """Print one line on stdout; an unwritable stdout becomes :class:`_OutputError`."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _OutputError(error.strerror or str(error)) from error


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated()


def _say(line: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr unwritable: nothing more to do
        print(line, file=sys.stderr, flush=True)


def _system_error(error: OSError) -> str:
    reason = error.strerror or str(error) or type(error).__name__
    if error.filename is not None:
        return (
            f"cannot write or read {error.filename}: {reason}; previous outputs left as they were"
        )
    return f"{reason}; previous outputs left as they were"


def _flush_stdout() -> None:
    """Flush stdout now, so that an unwritable stdout is an error of this run."""
    if sys.stdout is not None:
        sys.stdout.flush()


def _silence_stdout() -> None:
    import os

    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script (exit statuses: see the module docstring)."""
    import signal

    from indicators.build.lock import ProjectBusy
    from indicators.environment import check_source_date_epoch, prepare_home, prepare_streams

    prepare_streams()
    args = _parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        check_source_date_epoch()
        prepare_home()
        status = _run(args)
        try:
            _flush_stdout()
        except BrokenPipeError:
            raise
        except OSError as error:
            raise _OutputError(error.strerror or str(error)) from error
        return status
    except _OutputError as error:
        _silence_stdout()
        _say(f"indicators: error: cannot write the standard output: {error}")
        return EXIT_SYSTEM
    except ProjectBusy as error:
        if args.debug:
            raise
        _say(f"indicators: error: {error}")
        return EXIT_BUSY
    except IndicatorsError as error:
        if args.debug:
            raise
        _say(f"indicators: error: {error}")
        return EXIT_INPUT
    except KeyboardInterrupt as interrupt:
        _say("indicators: interrupted; previous outputs left as they were")
        return 128 + signal.SIGTERM if isinstance(interrupt, _Terminated) else 130
    except BrokenPipeError:
        # The output was piped into a command that stopped reading (e.g. `| head`): the
        # work is done; silence Python's second error on the closed stdout.
        _silence_stdout()
        return 0
    except OSError as error:
        if args.debug:
            raise
        _say(f"indicators: error: {_system_error(error)}")
        return EXIT_SYSTEM
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
