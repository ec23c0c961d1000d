"""The one formatter for counts and the one for byte sizes, used by messages, the audit table
and the diagrams alike."""

from __future__ import annotations

COUNT_UNITS = ("", " K", " M", " G", " T", " P")
BYTE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def scaled(n: float, base: int, top: int) -> tuple[float, int]:
    """``n`` divided by ``base`` until it is below it (at most ``top`` times), and how often."""
    i = 0
    while abs(n) >= base and i < top:
        n /= base
        i += 1
    return n, i


def fmt_count(n: float, *, compact: bool = False) -> str:
    """``25557032`` -> ``25.56 M`` (``compact``: ``25.6M``, for diagram labels); ``4089184256``
    -> ``4.09 G``; under 1000 as is."""
    value, i = scaled(n, 1000, len(COUNT_UNITS) - 1)
    if not i:
        return f"{n:g}"
    if compact:
        return f"{value:.1f}".rstrip("0").rstrip(".") + COUNT_UNITS[i].strip()
    return f"{value:.2f}{COUNT_UNITS[i]}"


def fmt_bytes(n: float) -> str:
    """``131072`` -> ``128 KiB`` (whole units without decimals), ``102228128`` ->
    ``97.49 MiB``, ``512`` -> ``512 B``."""
    value, i = scaled(n, 1024, len(BYTE_UNITS) - 1)
    if not i:
        return f"{int(n)} B"
    return f"{value:.0f} {BYTE_UNITS[i]}" if value.is_integer() else f"{value:.2f} {BYTE_UNITS[i]}"
