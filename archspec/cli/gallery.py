"""``archspec gallery``: index.html and one interactive page per spec, then a summary table.

The specs are spread over ``--jobs`` worker processes; each loads its spec, audits it, lays its
drawings out with ``dot`` and (``--build``) builds it on torch's meta device.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from archspec.backends.render.gallery import Row
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
    from archspec.backends.render.gallery import summary_table
    check_depth(depth)
    if jobs < 1:
        raise bad("--jobs", f"expected a positive number of worker processes, got {jobs}")
    missing = [str(s) for s in specs if not s.is_file()]
    if missing:
        raise bad("SPECS", f"no such file: {', '.join(missing)}")
    if output.exists() and not output.is_dir():
        raise bad("-o", f"{output} exists and is not a folder")
    check_pages(specs, output)
    make_folder(output)
    rows = write_gallery(list(specs), output, jobs=jobs, depth=depth, build=build)
    print(summary_table(rows))
    print(f"wrote {output / 'index.html'} and {len(rows)} pages")
    failed = [r for r in rows if r.error]
    for r in failed:
        err.print(f"{r.name}: {escape(r.error)}", style="red", highlight=False)
    if failed or any(r.built not in (None, r.training_params) for r in rows):
        raise Exit(2)


def check_pages(specs: list[Path], output: Path) -> None:
    """Before any work: no two pages (index.html included) share a name, case aside, and no
    page would replace one of the specs (any regular file is a spec, even ``net.html``)."""
    from archspec.fileio import refuse_inputs
    seen = {"index.html": "the index"}
    for spec in specs:
        page = f"{spec.stem}.html"
        if page.casefold() in seen:
            raise bad("SPECS", f"{spec} and {seen[page.casefold()]} would write the same page "
                               f"'{page}' in {output}; rename one")
        seen[page.casefold()] = str(spec)
    for page in ["index.html", *(f"{spec.stem}.html" for spec in specs)]:
        refuse_inputs(output / page, "-o", specs)


def make_folder(output: Path) -> None:
    """The folder, made and probed before any work: exit 2 naming -o when it cannot be."""
    from archspec.fileio import OutputError, check_directory
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"-o: cannot make the folder '{output}': {e.strerror}") from None
    check_directory(output, "-o")


def write_gallery(specs: list[Path], out_dir: Path, *, jobs: int = 2,
                  depth: int | None = 1, build: bool = False) -> list[Row]:
    """Write ``out_dir/index.html`` and ``out_dir/<spec name>.html`` for every spec; with
    ``build``, also build each network on torch's meta device and count its parameters."""
    from archspec.backends.render.gallery import index_page, nav_links
    from archspec.fileio import write_atomic
    out_dir.mkdir(parents=True, exist_ok=True)
    names = [p.stem for p in specs]
    tasks = [(p, out_dir, nav_links(names, i), depth, build) for i, p in enumerate(specs)]
    if jobs > 1 and len(specs) > 1:
        with ProcessPoolExecutor(min(jobs, len(specs))) as pool:
            rows = list(pool.map(_page_task, tasks))
    else:
        rows = [_page_task(t) for t in tasks]
    write_atomic(out_dir / "index.html", index_page(rows))
    return rows


def _page_task(task: tuple[Path, Path, str, int | None, bool]) -> Row:
    """One spec's page (an error page when it fails) and its row."""
    from archspec.backends.render import gallery as pages
    from archspec.errors import SpecError
    from archspec.fileio import write_atomic
    spec, out_dir, nav, depth, build = task
    text = spec.read_text(encoding="utf-8")
    try:
        row, page = _network(spec, text, nav, depth)
        write_atomic(out_dir / f"{spec.stem}.html", page)
        return _built(spec, row) if build else row
    except Exception as e:  # a spec error or a failed layout: one bad spec, not a lost gallery
        message = e.format() if isinstance(e, SpecError) else f"{type(e).__name__}: {e}"
        write_atomic(out_dir / f"{spec.stem}.html",
                     pages.error_page(spec.stem, message, text, nav))
        return Row(spec.stem, pages.summary_line(text), 0, 0, pages.reference_params(text),
                   message)


def _network(spec: Path, text: str, nav: str, depth: int | None) -> tuple[Row, str]:
    import archspec
    from archspec.backends.render import gallery as pages
    net = archspec.load(spec)
    report = net.audit()
    row = pages.network_row(spec.stem, text, report)
    return row, pages.network_page(net.ir, report, row, text, nav, depth)


def _built(spec: Path, row: Row) -> Row:
    """``row`` with the parameter count of the module ``archspec build`` makes (meta device:
    no memory for the weights)."""
    import archspec
    module = archspec.build(spec, device="meta")
    return replace(row, built=sum(p.numel() for p in module.parameters()))
