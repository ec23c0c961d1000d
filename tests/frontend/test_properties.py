"""Property tests: random valid chains check clean with the shapes we predict; random edits of
real spec files never raise anything but SpecError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import archspec
from archspec.errors import SpecError

pytestmark = pytest.mark.usefixtures("no_ast_cache")  # one cache entry per example otherwise

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "specs").glob("*.arch")) + sorted((ROOT / "archspec" / "std").glob(
    "*.arch"))


@st.composite
def layer(draw: st.DrawFn, c: int, h: int) -> tuple[str, int, int]:
    """A layer that is valid on a c×h×h input, with its output channels and size."""
    kind = draw(st.sampled_from(["conv", "pool", "act", "bn", "dw", "group"]))
    if kind == "conv":
        out, k = draw(st.integers(1, 32)), draw(st.sampled_from([1, 3, 5]))
        s = draw(st.integers(1, 2))
        return f"conv({out}, {k}, s={s}, p={k // 2})", out, (h - 1) // s + 1
    if kind == "pool" and h >= 2:
        return "maxpool(2)", c, h // 2
    if kind == "dw":
        return f"conv({c}, 3, p=1, groups={c})", c, h
    if kind == "group":
        g = draw(st.sampled_from([g for g in (1, 2, 4) if c % g == 0]))
        return f"conv({c * 2}, 1, groups={g})", c * 2, h
    if kind == "bn":
        return "bn", c, h
    return draw(st.sampled_from(["relu", "relu6", "tanh", "sigmoid", "silu", "gelu"])), c, h


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_valid_chains_check_clean(data: st.DataObject) -> None:
    c0, h0 = data.draw(st.integers(1, 8)), data.draw(st.integers(1, 40))
    c, h, layers = c0, h0, []
    for _ in range(data.draw(st.integers(1, 12))):
        text, c, h = data.draw(layer(c, h))
        layers.append(text)
    text = f"network n {{\n  input x: [{c0}, {h0}, {h0}]\n  out {' -> '.join(['x', *layers])}\n}}"
    net = archspec.load(text)
    assert net.outputs["out"] == (c, h, h)


EDITS = st.sampled_from(["delete_line", "duplicate_line", "swap_lines", "delete_token",
                         "duplicate_token", "swap_tokens", "insert_char"])


def mutate(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True)
    edit = data.draw(EDITS)
    if edit.endswith("line") or edit == "swap_lines":
        i, j = data.draw(st.integers(0, len(lines) - 1)), data.draw(
            st.integers(0, len(lines) - 1))
        if edit == "delete_line":
            del lines[i]
        elif edit == "duplicate_line":
            lines.insert(j, lines[i])
        else:
            lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines)
    tokens = text.split(" ")
    i, j = data.draw(st.integers(0, len(tokens) - 1)), data.draw(st.integers(0, len(tokens) - 1))
    if edit == "delete_token":
        del tokens[i]
    elif edit == "duplicate_token":
        tokens.insert(j, tokens[i])
    elif edit == "swap_tokens":
        tokens[i], tokens[j] = tokens[j], tokens[i]
    else:
        tokens[i] += data.draw(st.sampled_from(list("()[]{}:,;->*+/=@.\"'#\\0x_ \n\u00e9\u2212")))
    return " ".join(tokens)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_edits_of_spec_files_only_raise_spec_errors(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(FILES))
    text = mutate(path.read_text(), data)
    try:
        archspec.load(archspec.api.SourceFile(str(path), text))
    except SpecError as e:
        assert e.span is not None and e.message
        e.format()
