"""Spec errors in a terminal: the excerpt coloured by the Pygments lexer; plain text, exactly
``SpecError.format()``, when the stream is not a terminal or NO_COLOR is set."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

import archspec
from archspec.cli.excerpts import print_spec_error
from archspec.errors import SpecError

BAD = "network n {\n  input x: [3, 8, 8]\n  out x -> c1: conv(8, 3) -> nosuch(2)\n}\n"
ROOT = Path(__file__).resolve().parents[2]
RED, CYAN, DIM, MAGENTA, YELLOW, BLUE, BOLD = "\x1b[1;31m", "\x1b[36m", "\x1b[2m", \
    "\x1b[1;35m", "\x1b[33m", "\x1b[34m", "\x1b[1m"
RESET = "\x1b[0m"


def spec_error(tmp_path: Path, text: str = BAD) -> SpecError:
    path = tmp_path / "bad.arch"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        archspec.load(path)
    return info.value


def printed(error: SpecError, **console: object) -> str:
    buf = io.StringIO()
    print_spec_error(Console(file=buf, width=200, **console), error)
    return buf.getvalue()


def test_terminal_gets_the_excerpt_coloured_token_by_token(tmp_path):
    error = spec_error(tmp_path)
    text = printed(error, force_terminal=True, color_system="standard")
    lines = text.splitlines()
    assert lines[0] == f"{RED}{tmp_path / 'bad.arch'}:3:30: error: unknown name 'nosuch'{RESET}"
    assert lines[1] == (f"{DIM}    3 | {RESET}  {MAGENTA}out{RESET} x {BOLD}->{RESET} "
                        f"{YELLOW}c1{RESET}: {CYAN}conv{RESET}({BLUE}8{RESET}, {BLUE}3{RESET}) "
                        f"{BOLD}->{RESET} nosuch({BLUE}2{RESET})")
    assert lines[2] == f"{RED}      |                              ^^^^^^{RESET}"
    assert strip_ansi(text) == error.format() + "\n"  # the same characters, colour aside


def test_hint_label_is_set_apart(tmp_path):
    error = spec_error(tmp_path, BAD.replace("nosuch(2)", "relu(2, true)"))
    lines = printed(error, force_terminal=True, color_system="standard").splitlines()
    assert lines[3] == f"  \x1b[1;36mhint:{RESET} relu()"
    assert strip_ansi("\n".join(lines)) == error.format()


def test_not_a_terminal_prints_exactly_format(tmp_path):
    error = spec_error(tmp_path)
    assert printed(error) == error.format() + "\n"


def test_no_color_prints_exactly_format(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    error = spec_error(tmp_path)
    assert printed(error, force_terminal=True) == error.format() + "\n"


def strip_ansi(text: str) -> str:
    import re
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def run_in_terminal(args: list[str], **env: str) -> str:
    """The CLI with its stderr on a pseudo-terminal: what a user sees."""
    master, slave = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update(TERM="xterm-256color", COLUMNS="200", PYTHONPATH=str(ROOT), **env)
    proc = subprocess.Popen([sys.executable, "-m", "archspec", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave, env=environ, cwd=ROOT)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_cli_colours_in_a_terminal_and_not_with_no_color(tmp_path):
    spec = tmp_path / "bad.arch"
    spec.write_text(BAD, encoding="utf-8")
    coloured = run_in_terminal(["check", str(spec)])
    assert f"{DIM}    3 | {RESET}" in coloured and f"{CYAN}conv{RESET}" in coloured
    plain = run_in_terminal(["check", str(spec)], NO_COLOR="1")
    lines = plain.splitlines()
    assert lines[:3] == [f"{spec}:3:30: error: unknown name 'nosuch'",
                         "    3 |   out x -> c1: conv(8, 3) -> nosuch(2)",
                         "      |                              ^^^^^^"]
    assert "\x1b[" not in "".join(lines[:3])
    assert strip_ansi(coloured) == strip_ansi(plain)


def test_the_caret_counts_wide_characters_twice() -> None:
    """East Asian wide and fullwidth characters take two terminal columns: the caret sat
    two columns left of the token for each one before it (and was too narrow under them)."""
    from archspec.errors import excerpt
    from archspec.source import SourceFile, Span
    line = '  out x -> 漢字(3) -> ｒｅｌｕ -> "str'
    source = SourceFile("w.arch", line + "\n")
    assert excerpt(Span(source, 1, 29, 1, 30))[1] == "      | " + " " * 34 + "^"
    assert excerpt(Span(source, 1, 21, 1, 25))[1] == "      | " + " " * 22 + "^" * 8
