"""``archspec gallery``: index.html and one interactive page per spec, then a summary table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archspec.cli.options import Depth, bad, check_depth
from archspec.cli.output import Exit


def gallery(specs: Annotated[list[Path], typer.Argument(help="The specs to show.")],
            output: Annotated[Path, typer.Option("-o", "--output",
                                                 help="The folder to write (index.html, ...)")],
            jobs: Annotated[int, typer.Option(help="Worker processes.")] = 2,
            depth: Depth = 1) -> None:
    """A gallery: every spec's diagram, audit summary and source, linked from index.html."""
    from archspec.backends.render.gallery import summary_table, write_gallery
    check_depth(depth)
    if jobs < 1:
        raise bad("--jobs", f"expected a positive number of worker processes, got {jobs}")
    missing = [str(s) for s in specs if not s.is_file()]
    if missing:
        raise bad("SPECS", f"no such file: {', '.join(missing)}")
    if output.exists() and not output.is_dir():
        raise bad("-o", f"{output} exists and is not a folder")
    rows = write_gallery(list(specs), output, jobs=jobs, depth=depth)
    print(summary_table(rows))
    print(f"wrote {output / 'index.html'} and {len(rows)} pages")
    if any(r.error for r in rows):
        raise Exit(2)
