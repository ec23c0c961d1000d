"""``archspec gallery``: index.html and one interactive page per spec, then a summary table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archspec.cli.options import Depth, bad, check_depth
from archspec.cli.output import Exit, err, escape


def gallery(specs: Annotated[list[Path], typer.Argument(help="The specs to show.")],
            output: Annotated[Path, typer.Option("-o", "--output",
                                                 help="The folder to write (index.html, ...)")],
            jobs: Annotated[int, typer.Option(help="Worker processes.")] = 2,
            depth: Depth = 1,
            build: Annotated[bool, typer.Option(
                "--build", help="Also build each network on torch's meta device.")] = False,
            ) -> None:
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
    rows = write_gallery(list(specs), output, jobs=jobs, depth=depth, build=build)
    print(summary_table(rows))
    print(f"wrote {output / 'index.html'} and {len(rows)} pages")
    failed = [r for r in rows if r.error]
    for r in failed:
        err.print(f"{r.name}: {escape(r.error)}", style="red", highlight=False)
    if failed or any(r.built not in (None, r.training_params) for r in rows):
        raise Exit(2)
