"""Names that look alike but differ: Unicode confusables and mixed-script identifiers.

A small version of Unicode's UTS #39 checks: NFKC folds compatibility forms (fullwidth
``ｃｏｎｖ``, ligatures, mathematical letters), and a table maps the Cyrillic and Greek letters
that render like Latin ones. ``сonv`` (Cyrillic ``с``) is then recognised as ``conv``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

LOOKALIKES = str.maketrans({
    # Cyrillic
    "а": "a", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j", "ӏ": "l", "о": "o",
    "р": "p", "ԛ": "q", "ѕ": "s", "ԝ": "w", "х": "x", "у": "y", "ү": "y",
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "О": "O", "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y",
    # Greek
    "α": "a", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "υ": "u", "χ": "x", "γ": "y",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
})
CONFUSABLE_SCRIPTS = {"LATIN", "CYRILLIC", "GREEK"}


def skeleton(name: str) -> str:
    """The ASCII-looking form of ``name``: equal skeletons render (nearly) the same."""
    return unicodedata.normalize("NFKC", name).translate(LOOKALIKES)


def describe_char(char: str) -> str:
    """``U+0441 CYRILLIC SMALL LETTER ES``."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


def confusable_hint(name: str, candidates: Iterable[str]) -> str | None:
    """A hint when ``name`` looks like one of ``candidates`` but is spelled with other
    characters (either side may hold the odd ones)."""
    key = skeleton(name)
    target = next((c for c in candidates if c != name and skeleton(c) == key), None)
    if target is None:
        return None
    odd = [ch for ch in name if not ch.isascii()]
    if odd:
        return f"'{name}' is spelled with {odd_chars(odd)}; did you mean '{target}'?"
    return (f"'{name}' is defined as '{target}', spelled with "
            f"{odd_chars([ch for ch in target if not ch.isascii()])}")


def odd_chars(chars: list[str]) -> str:
    return ", ".join(describe_char(ch) for ch in dict.fromkeys(chars))


def scripts(name: str) -> dict[str, str]:
    """Script -> first letter of ``name`` in it, for the scripts that share letter shapes."""
    found: dict[str, str] = {}
    for ch in unicodedata.normalize("NFKC", name):
        if ch.isalpha():
            script = unicodedata.name(ch, "UNKNOWN").split(" ")[0]
            if script in CONFUSABLE_SCRIPTS:
                found.setdefault(script, ch)
    return found


def mixed_script(name: str) -> str | None:
    """A message when ``name`` mixes Latin, Cyrillic or Greek letters (``аb`` with a
    Cyrillic ``а``), which is almost always a lookalike typed by accident; else None."""
    found = scripts(name)
    if len(found) < 2:
        return None
    odd = [ch for script, ch in found.items() if script != "LATIN"]
    names = " and ".join(s.title() for s in sorted(found))
    return f"'{name}' mixes {names} letters ({odd_chars(odd)})"
