"""Curator tools for the tip library: `python -m tips check | stats | sync-references`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tips.check import REFERENCES_FILE, check_library, summary
from tips.loader import LIBRARY_DIR, Problem, read_library
from tips.model import Tip
from tips.stats import Feedback, FeedbackUnreadable, render_stats
from tips.sync import (
    BibliographyError,
    UnverifiedReferences,
    cited_ids,
    load_shared,
    render_references,
    select_references,
)

ReadFeedback = Callable[[Path], Feedback]


def main(argv: Sequence[str] | None = None, read_feedback: ReadFeedback | None = None) -> int:
    """Run one command; return the exit code (1 when the library has problems).

    `read_feedback` reads the votes from a bot database for `stats --database PATH`; only
    the bot can (`gutbone-bot tips stats --database PATH` passes it in).
    """
    args = _parser().parse_args(argv)
    args.read_feedback = read_feedback
    return int(args.command(args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tips", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="command")
    for name, command, help_text in (
        ("check", check, "report every problem in the library; exit 1 if there is any"),
        ("stats", stats, "count tips per topic, finding, main source and reference"),
        ("sync-references", sync_references, "rewrite references.yaml from the shared list"),
    ):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--library", type=Path, default=LIBRARY_DIR, metavar="DIR")
        if name != "stats":
            required = name == "sync-references"
            sub.add_argument("--shared", type=Path, metavar="PATH", required=required, help=_SHARED)
        else:
            sub.add_argument("--database", type=Path, metavar="PATH", help=_DATABASE)
        sub.set_defaults(command=command)
    return parser


_DATABASE = "the bot's database: add readers' 👍/👎 per tip (run as `gutbone-bot tips stats`)"
_SHARED = "the verified bibliography (a references.yaml) to compare with or copy from"


def check(args: argparse.Namespace) -> int:
    """Print one line per problem and a summary line."""
    if args.shared is None:
        _note("references not compared with the verified bibliography (pass --shared PATH)")
    library, problems = check_library(args.library, args.shared)
    for problem in problems:
        print(problem)
    print(summary(library, problems))
    return 1 if problems else 0


def stats(args: argparse.Namespace) -> int:
    """Print the tables; the counts are shown even when the library has problems."""
    feedback = None
    if args.database is not None:
        if args.read_feedback is None:
            return _fail([], "--database is read by the bot: run `gutbone-bot tips stats`")
        try:
            feedback = args.read_feedback(args.database)
        except FeedbackUnreadable as exc:
            return _fail([], str(exc))
    library, problems = read_library(args.library)
    print(render_stats(library, feedback))
    if problems:
        _note(f"the library has {len(problems)} problem(s); run `python -m tips check`")
    return 0


def sync_references(args: argparse.Namespace) -> int:
    """Write references.yaml with exactly the verified shared entries the tips cite."""
    library, problems = read_library(args.library)
    unreadable = [problem for problem in problems if _unreadable(problem)]
    if unreadable:
        return _fail(unreadable, "some tips could not be read, so their references are unknown")
    try:
        shared = load_shared(args.shared)
        entries = select_references(cited_ids(library.tips), shared)
    except BibliographyError as exc:
        return _fail([], str(exc))
    except UnverifiedReferences as exc:
        lines = [f"{ref}: cited by {_citing(library.tips, ref)}" for ref in exc.ids]
        return _fail(lines, "not in the verified list of the shared bibliography")
    path = args.library / REFERENCES_FILE
    text = render_references(entries)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        print(f"{path}: up to date, {len(entries)} references")
    else:
        path.write_text(text, encoding="utf-8")
        print(f"{path}: wrote {len(entries)} references")
    return 0


def _unreadable(problem: Problem) -> bool:
    """A tip file, or a tip in it, that the loader could not read at all."""
    in_tips = problem.file.startswith("tips")
    return in_tips and (problem.tip_id is None or problem.message.startswith("bad tip"))


def _citing(tips: Sequence[Tip], ref: str) -> str:
    return ", ".join(tip.id for tip in tips if ref in tip.refs)


def _fail(lines: Sequence[object], reason: str) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    print(f"error: {reason}", file=sys.stderr)
    return 1


def _note(text: str) -> None:
    print(f"note: {text}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
