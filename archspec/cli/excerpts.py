"""Spec errors and warnings for a terminal: the excerpt coloured by the Pygments lexer
(archspec.lexer), the caret and the severity in red or yellow, hints and notes set apart.

Colour is rich's decision: only when the stream is a terminal and NO_COLOR is unset
(FORCE_COLOR forces it). Otherwise the text is exactly ``SpecError.format()``, and neither
Pygments nor the lexer is imported.
"""

from __future__ import annotations

from typing import Any

from archspec.errors import SpecError, excerpt

TOKEN_STYLES = (  # the most specific Pygments token type first
    ("Comment", "dim"), ("Keyword.Constant", "magenta"), ("Keyword", "bold magenta"),
    ("Name.Function", "bold cyan"), ("Name.Label", "yellow"), ("Name.Decorator", "magenta"),
    ("Name.Builtin", "cyan"), ("Literal.String", "green"), ("Literal.Number", "blue"),
    ("Operator", "bold"),
)


def wants_colour(console: Any) -> bool:
    return bool(console.is_terminal and not console.no_color and console.color_system)


def print_spec_error(console: Any, error: SpecError) -> None:
    """Print ``error.format()`` to the rich ``console``, coloured when it is a terminal."""
    style = "red" if error.severity == "error" else "yellow"
    text = error.format()
    if not wants_colour(console):
        console.print(text, style=style, markup=False, highlight=False)
        return
    console.print(coloured(error, text, style))


def coloured(error: SpecError, text: str, style: str) -> Any:
    """``text`` (the error's format()) as a rich Text: severity line, highlighted excerpt,
    caret, notes and hint."""
    from rich.text import Text
    lines = text.split("\n")
    shown = excerpt(error.span)
    out = Text().append(lines[0], style=f"bold {style}")
    rest = lines[1:]
    if shown and rest[:2] == shown:
        out.append("\n").append_text(_source_line(shown[0]))
        out.append("\n" + shown[1], style=f"bold {style}")
        rest = rest[2:]
    for line in rest:
        label = "hint:" if line.startswith("  hint:") else "note:"
        head, _, tail = line.partition(label)
        out.append("\n" + head).append(label, style="bold cyan" if label == "hint:" else "bold")
        out.append(tail)
    return out


def _source_line(line: str) -> Any:
    """``   12 | code``: a dim gutter, then the code coloured token by token."""
    from rich.text import Text

    from archspec.lexer import ArchLexer
    gutter, bar, code = line.partition("| ")
    text = Text().append(gutter + bar, style="dim")
    for token, value in ArchLexer(stripnl=False, ensurenl=False).get_tokens(code):
        text.append(value, style=_style(token))
    return text


def _style(token: Any) -> str:
    name = str(token).removeprefix("Token.")
    for prefix, style in TOKEN_STYLES:
        if name == prefix or name.startswith(prefix + "."):
            return style
    return ""
