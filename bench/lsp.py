"""Language-server latency on a ResNet-50-sized file (std/resnet.arch with the resnet50
network in the same file, edited each round).

1. In process: the server's analysis + diagnostics of the edited text, against
   ``archspec.load`` of the same text (what ``archspec check`` does; the reference); hover
   and inlay hints on the analysis.
2. Through the protocol (a real ``archspec lsp`` process over stdio): from sending
   ``didChange`` to receiving ``publishDiagnostics`` (debounce included), and hover
   round trips. p50/p95 of each; targets: diagnostics 50 ms p95, hover 10 ms p95.

    .venv/bin/python bench/lsp.py [--rounds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lsprotocol import types as T  # noqa: E402

import archspec  # noqa: E402
from archspec.lsp.analysis import analyse  # noqa: E402
from archspec.lsp.diagnostics import diagnostics  # noqa: E402
from archspec.lsp.hover import hover  # noqa: E402
from archspec.lsp.inlay import inlay_hints  # noqa: E402

NETWORK = '\nnetwork resnet50_here = resnet(unit="bottleneck", layers=[3, 4, 6, 3])\n'
HOVER_AT = T.Position(48, 22)  # the conv in bottleneck's first chain (16 instances)


def spec_text() -> str:
    return (ROOT / "archspec" / "std" / "resnet.arch").read_text() + NETWORK


def edited(text: str, i: int) -> str:
    """A different text each round (a comment), so no cache answers for the parser (the
    reference loads yet another text, for the same reason)."""
    return text + f"# edit {i}\n"


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def row(name: str, samples: list[float], ref: list[float] | None = None) -> str:
    out = f"{name:<44} p50 {pct(samples, 0.5):7.2f} ms  p95 {pct(samples, 0.95):7.2f} ms"
    if ref:
        out += f"  ratio {statistics.median(samples) / statistics.median(ref):.2f}"
    return out


def in_process(path: Path, text: str, rounds: int) -> list[str]:
    ours, ref, hovers, hints, cpu = [], [], [], [], []
    whole = T.Range(T.Position(0, 0), T.Position(200, 0))
    for i in range(rounds):
        c0 = time.process_time()
        t0 = time.perf_counter()
        result = analyse(path, edited(text, i))
        diagnostics(result)
        t1 = time.perf_counter()
        cpu.append(time.process_time() - c0)
        archspec.load(archspec.api.SourceFile(str(path), edited(text, i) + "# ref\n"))
        t2 = time.perf_counter()
        hover(result, HOVER_AT)
        t3 = time.perf_counter()
        inlay_hints(result, whole)
        t4 = time.perf_counter()
        ours.append(t1 - t0)
        ref.append(t2 - t1)
        hovers.append(t3 - t2)
        hints.append(t4 - t3)
    return [row("in process: analysis + diagnostics", ours, ref),
            row("in process: the same, CPU time", cpu),
            row("in process: archspec.load (reference)", ref),
            row("in process: hover", hovers),
            row("in process: inlay hints (whole file)", hints)]


async def through_protocol(path: Path, text: str, rounds: int) -> list[str]:
    from pygls.lsp.client import LanguageClient
    client = LanguageClient("bench", "0")
    published: asyncio.Queue[float] = asyncio.Queue()

    @client.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: T.PublishDiagnosticsParams) -> None:
        published.put_nowait(time.perf_counter())

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    await client.start_io(sys.executable, "-m", "archspec", "lsp", env=env)
    await client.initialize_async(T.InitializeParams(capabilities=T.ClientCapabilities()))
    client.initialized(T.InitializedParams())
    uri = path.as_uri()
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        T.TextDocumentItem(uri, "archspec", 1, text)))
    await published.get()
    changes, hovers = [], []
    for i in range(rounds):
        sent = time.perf_counter()
        client.text_document_did_change(T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(i + 2, uri),
            [T.TextDocumentContentChangeWholeDocument(edited(text, i))]))
        changes.append(await published.get() - sent)
        t0 = time.perf_counter()
        await client.text_document_hover_async(
            T.HoverParams(T.TextDocumentIdentifier(uri), HOVER_AT))
        hovers.append(time.perf_counter() - t0)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return [row("protocol: didChange -> publishDiagnostics", changes),
            row("protocol: hover round trip", hovers)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    text = spec_text()
    with TemporaryDirectory() as tmp:
        path = Path(tmp).resolve() / "resnet50_flat.arch"
        path.write_text(text)
        print(f"ResNet-50-sized file: {len(text.splitlines())} lines, {len(text)} bytes; "
              f"{args.rounds} edits; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} CPUs")
        for line in in_process(path, text, args.rounds):
            print(line)
        for line in asyncio.run(through_protocol(path, text, args.rounds)):
            print(line)


if __name__ == "__main__":
    main()
