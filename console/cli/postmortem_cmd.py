"""`incident-console postmortem INC [-o FILE] [--force]`: write an incident's postmortem draft.

By default the draft goes to the store folder's `postmortems/INC-7.md` (a draft someone
edited there is kept, and the new one goes beside it); `-o FILE` names the file, and
`-o -` prints it. The store is only read.
"""

from __future__ import annotations

import sys
from pathlib import Path

from console.cli.context import CliContext, CliError

HELP = "write an incident's postmortem draft (Markdown)"


def add_arguments(p) -> None:
    p.add_argument("incident", metavar="INC", help="e.g. INC-7")
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=None,
        help="where to write it ('-' for stdout; default: STORE/postmortems/INC.md)",
    )
    p.add_argument(
        "--force", action="store_true", help="replace FILE given with -o if it already exists"
    )


def run(args, ctx: CliContext) -> int:
    from console.domain.postmortem import PostmortemError
    from console.domain.words import WordError, parse_inc
    from console.postmortem_file import (
        PostmortemWriteError,
        atomic_write,
        render_for_store,
        untouched_draft,
        with_marker,
        write_postmortem,
    )

    try:
        inc_id = parse_inc(args.incident)
    except WordError as exc:
        raise CliError(str(exc), 2) from None
    settings = ctx.settings
    store = ctx.open_store(read_only=True)
    if store.state.get(inc_id) is None:
        raise CliError(f"{inc_id} does not exist in {store.path}", 1)
    try:
        if args.output == "-":
            sys.stdout.write(render_for_store(store, inc_id, settings, ctx.clock) + "\n")
            return 0
        if args.output:
            target = Path(args.output).expanduser()
            if target.is_dir():
                raise CliError(f"{target}: is a folder; name a file", 2)
            if target.exists() and not args.force and not untouched_draft(target):
                raise CliError(f"{target}: already exists; --force replaces it", 1)
            atomic_write(target, with_marker(render_for_store(store, inc_id, settings, ctx.clock)))
        else:
            target = write_postmortem(store, inc_id, settings, ctx.clock)
    except PostmortemError as exc:
        raise CliError(str(exc), 1) from None
    except PostmortemWriteError as exc:
        raise CliError(str(exc), 2) from None
    ctx.out(f"{inc_id}: postmortem draft written to {target}")
    return 0
