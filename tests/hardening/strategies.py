"""Hypothesis strategies for random specs: valid ones whose shapes we predict, invalid ones
with a known fault, and token/line mutations of real files. Shared by the fuzz tests, the
differential test and the atheris harness (fuzz/)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

# No explain phase: it replays failing examples under sys.settrace, which makes the CPU-time
# bound fail on whatever example is being replayed.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
COMMON = {"deadline": None, "suppress_health_check": list(HealthCheck), "derandomize": False,
          "phases": PHASES}
settings.register_profile("ci", max_examples=100, **COMMON)
settings.register_profile("fuzz", max_examples=5000, **COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")


def examples(ci: int, fuzz: int | None = None) -> settings:
    """``ci`` examples in ``make test``; with the fuzz profile ``fuzz`` (default 20 × ci)."""
    base = settings.get_profile(PROFILE if PROFILE in ("ci", "fuzz") else "ci")
    count = ci if PROFILE != "fuzz" else (fuzz or 20 * ci)
    return settings(base, max_examples=count)


BLOCKS = """\
block res(planes, stride=1) {
  y = in -> conv(planes, 3, s=stride, p=1, bias=false) -> bn -> relu
         -> conv(planes, 3, p=1, bias=false) -> bn
  sc = if stride != 1 or in.c != planes {
    in -> down: [conv(planes, 1, s=stride, bias=false), bn]
  } else { in }
  out (y + sc) -> relu
}

block se(r=4) {
  let mid = max(1, in.c // r)
  g = in -> gap -> conv(mid, 1) -> relu -> conv(in.c, 1) -> sigmoid
  out in * g
}

block branches(a, b) {
  p = in -> conv(a, 1)
  q = in -> conv(b, 3, p=1) -> relu
  out concat(p, q)
}
"""

ACTS = ["relu", "relu6", "sigmoid", "tanh", "silu", "gelu", "hardswish", "leaky_relu(0.1)",
        "elu", "bn", "dropout(0.2)", "identity"]


@dataclass
class Shape:
    c: int
    h: int
    w: int

    def t(self) -> tuple[int, int, int]:
        return (self.c, self.h, self.w)


@dataclass
class Gen:
    """The state of one generated network body."""

    tensors: list[tuple[str, Shape]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    labels: int = 0

    def label(self) -> str:
        self.labels += 1
        return f"l{self.labels}"

    def add(self, text: str, shape: Shape) -> str:
        name = f"t{len(self.tensors)}"
        self.lines.append(f"  {name} = {text}")
        self.tensors.append((name, shape))
        return name


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def conv_out(size: int, k: int, s: int, p: int, d: int) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


@st.composite
def conv_layer(draw: st.DrawFn, x: Shape) -> tuple[str, Shape] | None:
    out = draw(st.integers(1, 16))
    k = draw(st.sampled_from([1, 3, 5]))
    s, d = draw(st.integers(1, 2)), draw(st.sampled_from([1, 1, 2]))
    p = draw(st.sampled_from([0, k // 2, d * (k // 2)]))
    eff = d * (k - 1) + 1
    if eff > x.h + 2 * p or eff > x.w + 2 * p:
        return None
    g = draw(st.sampled_from(divisors(__import__("math").gcd(x.c, out))))
    extra = "".join([f", s={s}" if s > 1 else "", f", p={p}" if p else "",
                     f", d={d}" if d > 1 else "", f", groups={g}" if g > 1 else "",
                     draw(st.sampled_from(["", ", bias=false"]))])
    return f"conv({out}, {k}{extra})", Shape(out, conv_out(x.h, k, s, p, d),
                                             conv_out(x.w, k, s, p, d))


@st.composite
def pool_layer(draw: st.DrawFn, x: Shape) -> tuple[str, Shape] | None:
    kind = draw(st.sampled_from(["maxpool", "avgpool"]))
    k = draw(st.integers(2, 3))
    s = draw(st.sampled_from([None, 1, 2]))
    p = draw(st.sampled_from([0, k // 2]))
    if k > x.h + 2 * p or k > x.w + 2 * p:
        return None
    stride = s or k
    text = f"{kind}({k}" + (f", s={s}" if s else "") + (f", p={p}" if p else "") + ")"
    return text, Shape(x.c, conv_out(x.h, k, stride, p, 1), conv_out(x.w, k, stride, p, 1))


@st.composite
def simple_layer(draw: st.DrawFn, x: Shape) -> tuple[str, Shape]:
    """One layer valid on ``x`` (retrying until one fits), with its output shape."""
    while True:
        kind = draw(st.sampled_from(["conv", "conv", "pool", "act", "act", "dw", "shuffle",
                                     "pad", "up"]))
        if kind == "conv":
            got = draw(conv_layer(x))
        elif kind == "pool":
            got = draw(pool_layer(x))
        elif kind == "dw":
            got = (f"conv({x.c}, 3, p=1, groups={x.c})", x)
        elif kind == "shuffle":
            g = draw(st.sampled_from(divisors(x.c)))
            got = (f"channel_shuffle({g})", x)
        elif kind == "pad":
            got = ("pad(1)", Shape(x.c, x.h + 2, x.w + 2)) if x.h < 24 else None
        elif kind == "up":
            got = ("upsample(scale=2)", Shape(x.c, 2 * x.h, 2 * x.w)) if x.h <= 12 and \
                x.w <= 12 else None
        else:
            got = (draw(st.sampled_from(ACTS)), x)
        if got is not None:
            return got


@st.composite
def layer(draw: st.DrawFn, g: Gen, x: Shape, depth: int = 0) -> tuple[str, Shape]:
    """A layer: a primitive, a group, a repeat, a block call, maybe labelled."""
    kind = draw(st.sampled_from(["simple"] * 4 + ["group", "repeat", "block"] * (depth < 2)))
    if kind == "group":
        items, y = [], x
        for _ in range(draw(st.integers(1, 3))):
            text, y = draw(layer(g, y, depth + 1))
            items.append(f"({text})" if "->" in text else text)
        text = f"[{', '.join(items)}]"
    elif kind == "repeat":
        n = draw(st.integers(1, 3))
        text = draw(st.sampled_from(["relu", "bn", f"conv({x.c}, 3, p=1)", "se()"])) + f" * {n}"
        y = x
    elif kind == "block":
        text, y = draw(block_call(x))
    else:
        text, y = draw(simple_layer(x))
    if draw(st.booleans()) and depth == 0:
        text = f"{g.label()}: {text}"
    return text, y


@st.composite
def block_call(draw: st.DrawFn, x: Shape) -> tuple[str, Shape]:
    which = draw(st.sampled_from(["res", "res2", "se", "branches"]))
    if which == "res":
        planes = draw(st.integers(1, 12))
        return f"res({planes})", Shape(planes, x.h, x.w)
    if which == "res2":
        planes = draw(st.integers(1, 12))
        return f"res({planes}, stride=2)", Shape(planes, (x.h - 1) // 2 + 1, (x.w - 1) // 2 + 1)
    if which == "se":
        return f"se(r={draw(st.integers(1, 4))})", x
    a, b = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    return f"branches({a}, {b})", Shape(a + b, x.h, x.w)


@st.composite
def chain(draw: st.DrawFn, g: Gen, x: Shape) -> tuple[str, Shape]:
    parts, y = [], x
    for _ in range(draw(st.integers(1, 4))):
        text, y = draw(layer(g, y))
        parts.append(text)
    return " -> ".join(parts), y


@st.composite
def statement(draw: st.DrawFn, g: Gen) -> None:
    """One statement binding a new tensor from the existing ones."""
    name, x = draw(st.sampled_from(g.tensors))
    kind = draw(st.sampled_from(["chain"] * 4 + ["add", "mul", "concat", "scale", "slice", "if",
                                                 "loop"]))
    if kind == "chain":
        text, y = draw(chain(g, x))
        g.add(f"{name} -> {text}", y)
    elif kind == "add":
        same = [n for n, s in g.tensors if s == x and n != name]
        other = draw(st.sampled_from(same)) if same else f"({name} -> conv({x.c}, 3, p=1))"
        g.add(f"{name} + {other}", x)
    elif kind == "mul":
        g.add(f"{name} * ({name} -> gap -> conv({x.c}, 1) -> sigmoid)", x)
    elif kind == "concat":
        same = [n for n, s in g.tensors if (s.h, s.w) == (x.h, x.w)]
        picked = draw(st.lists(st.sampled_from(same), min_size=1, max_size=3))
        g.add(f"concat({name}, {', '.join(picked)})",
              Shape(x.c + sum(s.c for n in picked for m, s in g.tensors if m == n and s),
                    x.h, x.w))
    elif kind == "scale":
        g.add(draw(st.sampled_from([f"0.5 * {name}", f"{name} / 4", f"-{name}"])), x)
    elif kind == "slice" and x.c > 1:
        stop = draw(st.integers(1, x.c))
        g.add(f"{name}[0:{stop}]", Shape(stop, x.h, x.w))
    elif kind == "if":
        g.add(f"if {name}.c > {draw(st.integers(0, 16))} {{ {name} -> relu }} else "
              f"{{ {name} -> sigmoid }}", x)
    elif kind == "loop":
        n, grow = draw(st.integers(1, 3)), draw(st.integers(1, 4))
        acc = g.add(name, x)
        g.lines.append(f"  for i in range({n}) {{\n    {acc} = concat({acc}, {acc} -> "
                       f"conv({grow}, 3, p=1))\n  }}")
        g.tensors[-1] = (acc, Shape(x.c + n * grow, x.h, x.w))


@dataclass
class Spec:
    text: str
    output: tuple[int, ...]
    params: dict[str, int] = field(default_factory=dict)


@st.composite
def valid_spec(draw: st.DrawFn) -> Spec:
    """A random valid network and the shape of its output."""
    x = Shape(draw(st.integers(1, 8)), draw(st.integers(1, 24)), draw(st.integers(1, 24)))
    width = draw(st.integers(1, 8))
    g = Gen(tensors=[("x", x)])
    g.add("x -> stem: conv(w, 3, p=1)", Shape(width, x.h, x.w))
    for _ in range(draw(st.integers(1, 6))):
        draw(statement(g))
    name, y = g.tensors[-1]
    if draw(st.booleans()):
        k = draw(st.integers(1, 10))
        out, shape = f"{name} -> gap -> flatten -> fc: linear({k})", (k,)
    else:
        out, shape = name, y.t()
    default = draw(st.integers(1, 8))
    text = (BLOCKS + f"\nnetwork n(w={default}) {{\n  input x: [{x.c}, {x.h}, {x.w}]\n" +
            "\n".join(g.lines) + f"\n  out {out}\n}}\n")
    return Spec(text, shape, {"w": width})


FAULTS = {  # a fault injected at the end of a valid spec -> the error kind it must cause
    "merge": ("  bad = concat(x, x -> pad(1))", "ShapeError"),
    "groups": ("  bad = x -> conv(6, 3, groups={c1})", "ShapeError"),
    "kernel": ("  bad = x -> conv(4, {big})", "ShapeError"),
    "unknown": ("  bad = x -> cnov(4, 3)", "SpecNameError"),
    "kwarg": ("  bad = x -> conv(4, 3, strid=2)", "ArgumentError"),
    "type": ("  bad = x -> conv(4.5, 3)", "SpecTypeError"),
    "zero": ("  let bad = 1 // (x.c - x.c)", "EvalError"),
    "overflow": ("  let bad = (x.c + 1) ** 99", "EvalError"),
    "recursion": ("  bad = x -> loop()", "GraphError"),
    "repeat": ("  bad = x -> relu * 100000", "SpecLimitError"),
    "shadow": ("  let relu = 2", "SpecNameError"),
    "syntax": ("  bad = x -> -> relu", "SpecSyntaxError"),
}


@st.composite
def invalid_spec(draw: st.DrawFn) -> tuple[Spec, str]:
    """A valid spec with one fault appended, and the error kind it must raise."""
    spec = draw(valid_spec())
    fault = draw(st.sampled_from(sorted(FAULTS)))
    line, kind = FAULTS[fault]
    c = int(re.search(r"input x: \[(\d+)", spec.text).group(1))  # type: ignore[union-attr]
    line = line.format(c1=c + 1, big=100)
    head, tail = spec.text.rsplit("  out ", 1)
    extra = "block loop() {\n  out in -> loop()\n}\n" if fault == "recursion" else ""
    return Spec(extra + head + line + "\n  out " + tail, (), spec.params), kind


TOKEN = re.compile(r'"[^"\n]*"|\'[^\'\n]*\'|[A-Za-z_]\w*|\d[\w.]*|->|\*\*|//|[=!<>]=|\s+|.',
                   re.S)
NOISE = ["(", ")", "[", "]", "{", "}", ":", ",", ";", "->", "*", "+", "-", "/", "=", "@", ".",
         '"', "#", "\\", "0", "1e999", "99999999999999999999", "\n", "in", "out", "block", "x",
         "conv", "relu", "if", "else", "for", "\u0441", "\u202e", "\x00"]


@st.composite
def mutation(draw: st.DrawFn, text: str) -> str:
    """``text`` with 1-3 edits: delete, duplicate or swap tokens or lines, or insert noise."""
    for _ in range(draw(st.integers(1, 3))):
        unit = draw(st.sampled_from(["token", "token", "line"]))
        parts = (TOKEN.findall(text) if unit == "token" else text.splitlines(keepends=True))
        if not parts:
            return text + draw(st.sampled_from(NOISE))
        i = draw(st.integers(0, len(parts) - 1))
        j = draw(st.integers(0, len(parts) - 1))
        edit = draw(st.sampled_from(["delete", "duplicate", "swap", "noise"]))
        if edit == "delete":
            del parts[i]
        elif edit == "duplicate":
            parts.insert(j, parts[i])
        elif edit == "swap":
            parts[i], parts[j] = parts[j], parts[i]
        else:
            parts.insert(i, draw(st.sampled_from(NOISE)))
        text = "".join(parts)
    return text
