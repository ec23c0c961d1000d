"""Specs that probe the check/build contract (issue 11): labels and input names from hostile name
sets, annotations on layers, groups and blocks, multi-port ops and index ports, variants
(`network n = family(width=...)`) and input-shape overrides. Some are valid, some are not; the
differential test asserts that check's verdict is the truth either way."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from tests.hardening.strategies import BLOCKS

HOSTILE_LABELS = [
    "class", "for", "lambda", "None",                          # keywords
    "training", "forward", "parameters", "cuda", "eval", "state_dict", "to", "code",
    "Outputs", "forward_train",                                # nn.Module / built-class attrs
    "_x", "_modules", "__init__",                              # leading underscore
    "ｆｃ", "ﬁlter", "ℌead",                                    # NFKC twins of ASCII names
    "λ", "größe", "名前", "torch", "self", "F", "nn", "match", "type_", "input",
]
HOSTILE_INPUTS = ["x"] * 40 + ["img", "torch", "self", "input", "sum", "class", "_x", "ｘ",
                                 "données"]


@dataclass
class ContractSpec:
    text: str
    params: dict[str, object] = field(default_factory=dict)  # archspec.load keywords
    input_name: str = "x"


@dataclass
class Body:
    lines: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, text: str) -> str:
        self.count += 1
        name = f"t{self.count}"
        self.lines.append(f"  {name} = {text}")
        return name


@st.composite
def label(draw: st.DrawFn, body: Body) -> str:
    """'' (no label), a plain unique label, or a hostile one (maybe twice: a duplicate)."""
    kind = draw(st.sampled_from(["none"] * 4 + ["plain"] * 4 + ["hostile"]))
    if kind == "none":
        return ""
    name = f"l{body.count}" if kind == "plain" else draw(st.sampled_from(HOSTILE_LABELS))
    return f"{name}: "


@st.composite
def annotation(draw: st.DrawFn) -> str:
    return draw(st.sampled_from([""] * 8 + [" @frozen"] * 3 + [
        ' @init("zeros")', ' @init("ones")', ' @init("identity_affine")', " @checkpoint"]))


@st.composite
def layer_text(draw: st.DrawFn, c: int) -> tuple[str, str]:
    kind = draw(st.sampled_from(["conv", "conv", "act", "group", "block", "bn"]))
    text = {"conv": f"conv({draw(st.integers(1, 8))}, 3, p=1)", "act": "relu", "bn": "bn",
            "group": f"[conv({c}, 1), bn, relu]", "block": f"res({draw(st.integers(1, 8))})"}
    return kind, text[kind]


@st.composite
def pool_unpool(draw: st.DrawFn, body: Body, x: str) -> str:
    """maxpool with indices, then an unpool that usually inverts it (else: a located error),
    or the indices misused as data."""
    k, s = draw(st.integers(2, 3)), draw(st.integers(1, 3))
    pooled = body.add(f"{x} -> {draw(label(body))}maxpool({k}, s={s}, return_indices=true)")
    use = draw(st.sampled_from(["unpool"] * 4 + ["other_geometry", "as_data", "float_indices"]))
    if use == "as_data":
        return body.add(f"{pooled}.indices -> relu")
    if use == "float_indices":
        return body.add(f"{pooled} -> max_unpool({k}, s={s}, indices={pooled})")
    k2, s2 = (k, s) if use == "unpool" else (draw(st.integers(2, 3)), draw(st.integers(1, 3)))
    size = f", output_size=[{x}.h, {x}.w]" if draw(st.booleans()) else ""
    return body.add(f"{pooled} -> max_unpool({k2}, s={s2}, indices={pooled}.indices{size})")


def split_merge(body: Body, x: str, channels: int, first: int, add: bool) -> str:
    """A multi-port op: split into two parts (ports 0 and 1), merged back."""
    body.count += 2
    a, b = f"t{body.count - 1}", f"t{body.count}"
    body.lines.append(f"  {a}, {b} = {x} -> split([{first}, {channels - first}])")
    merged = f"{a} + {b}" if add else f"concat({b}, {a})"
    return body.add(f"{merged} -> relu")


@st.composite
def contract_spec(draw: st.DrawFn) -> ContractSpec:
    c, h, w = draw(st.integers(1, 6)), draw(st.integers(2, 12)), draw(st.integers(2, 12))
    name = draw(st.sampled_from(HOSTILE_INPUTS))
    variant = draw(st.booleans())  # a family network and `network n = family(width=...)`
    body, x = Body(), name
    width = "width" if variant else "4"
    x = body.add(f"{x} -> {draw(label(body))}conv({width}, 3, p=1)")
    for _ in range(draw(st.integers(1, 5))):
        roll = draw(st.integers(0, 9))
        if roll < 2:
            x = draw(pool_unpool(body, x))
            continue
        if roll == 2:  # the previous layer may have changed the width: conv back to 4 first
            x = body.add(f"{x} -> conv(4, 1)")
            x = split_merge(body, x, 4, draw(st.sampled_from([1, 2, 3])), draw(st.booleans()))
            continue
        _, text = draw(layer_text(4))
        x = body.add(f"{x} -> {draw(label(body))}{text}{draw(annotation())}")
    head = draw(st.sampled_from(["", "gap -> flatten -> linear(6)", "gap -> flatten -> linear(5)"]))
    if head:
        x = body.add(f"{x} -> {head}{draw(annotation())}")
    header = "network family(width=4)" if variant else "network n"
    text = (BLOCKS + f"\n{header} {{\n  input {name}: [{c}, {h}, {w}]\n"
            + "\n".join(body.lines) + f"\n  out {x}\n}}\n")
    if variant:
        text += f"\nnetwork n = family(width={draw(st.integers(1, 8))})\n"
    return ContractSpec(text, draw(input_override()), name)


@st.composite
def input_override(draw: st.DrawFn) -> dict[str, tuple[int, int, int]]:
    """Sometimes ``load(..., input_shape=...)``: another size, or another channel count."""
    if not draw(st.booleans()):
        return {}
    dims = st.integers(1, 12)
    return {"input_shape": (draw(st.integers(1, 6)), draw(dims), draw(dims))}
