"""Coverage-guided fuzzing of the whole front end and elaborator with atheris (libFuzzer).

Not part of CI: run it for hours (docs/hardening.md#fuzzing). Every input is a spec file's
bytes, read as .arch or as YAML; the only acceptable outcomes are a Network or a SpecError.
Anything else, a time-out (-timeout) or running out of memory (-rss_limit_mb) is a finding.

    pip install atheris
    python fuzz/fuzz_load.py out/fuzz-corpus -max_total_time=3600 -timeout=5 \
        -rss_limit_mb=1024 -artifact_prefix=out/fuzz-
    python fuzz/fuzz_load.py --replay DIR_OR_FILE...     # re-run findings without atheris

The seed corpus is specs/*.arch and archspec/std/*.arch, copied into the corpus directory
(under out/, which git ignores) on the first run.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load_bytes(data: bytes) -> None:
    """The harness body: bytes -> decode -> load as .arch (even first byte) or YAML."""
    import archspec
    from archspec.api import decode
    from archspec.errors import SpecError
    name = "<fuzz>.yaml" if data[:1] and data[0] % 2 else "<fuzz>.arch"
    try:
        archspec.load(decode(name, data[1:]))
    except SpecError as err:
        err.format()


def seed_corpus(corpus: Path) -> None:
    if corpus.exists() and any(corpus.iterdir()):
        return
    corpus.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(sorted((ROOT / "specs").glob("*.arch")) +
                             sorted((ROOT / "archspec" / "std").glob("*.arch"))):
        (corpus / f"seed-{i:03d}-{path.stem}").write_bytes(b"\x00" + path.read_bytes())


def replay(paths: list[str]) -> int:
    """Run saved inputs through the harness; prints each, raises on the first bug."""
    files = [f for p in map(Path, paths) for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
    for f in files:
        load_bytes(f.read_bytes())
        print(f"ok {f}")
    return 0


def main() -> int:
    import os
    os.environ.setdefault("ARCHSPEC_CACHE", "off")  # no pickle per input in ~/.cache
    if sys.argv[1:2] == ["--replay"]:
        return replay(sys.argv[2:])
    import atheris  # noqa: PLC0415 (optional: only this script needs it)
    corpus = next((Path(a) for a in sys.argv[1:] if not a.startswith("-")), None)
    if corpus is not None:
        seed_corpus(corpus)
    with atheris.instrument_imports():
        import archspec  # noqa: F401
        import archspec.elaborate  # noqa: F401
        import archspec.frontend.yaml  # noqa: F401
    atheris.Setup(sys.argv, load_bytes)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
