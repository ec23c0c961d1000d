"""Hypothesis strategies for .arch text that stresses the formatter: every literal form,
precedence and grouping (comparisons in parentheses, chains in labels and indexing), string
templates with quotes and braces, comments in every place, odd whitespace and line endings."""

from __future__ import annotations

from hypothesis import strategies as st

NAMES = st.sampled_from(["x", "y", "conv", "relu", "a_1", "é", "in_c", "for_", "block",
                         "network", "let", "out", "aux", "as", "import", "input", "assert"])
TARGETS = st.sampled_from(["x", "y", "a_1", "é", "for_"])
OPS = st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", "<=", ">", ">=",
                       "and", "or"])
INTS = st.sampled_from(["0", "7", "1_000", "64", "9223372036854775807"])
FLOATS = st.sampled_from(["1.5", ".5", "1.", "1e3", "1.5E-3", "2_0.25", "0.0", "1e+308",
                          "3.14159265358979"])
# String bodies: quotes, escapes, braces, and characters some tools take for line breaks.
STRING_BODIES = st.sampled_from(["", "a b", "it\\'s", 'say \\"hi\\"', "{x}", "\\{", "a}b",
                                 "tab\\there", "\\\\", "#not a comment", "\u2028\u2029\x85",
                                 "\x0b\x0c", "ünï"])
LABEL_TEMPLATES = st.sampled_from(['"l{i}"', '"l{i + 1}_{j}"', "'q{x}'", '"a\\{b\\}"',
                                   '"{f(\'s\')}x"', '"l{a[1]}"', '"{x -> y}"', '"in"',
                                   '"true"', '"plain"', '"{(a < b)}"', '"{\'a\\"b\'}"'])
SPACE = st.sampled_from([" ", " ", " ", "\t", "\x0c", "  "])
NEWLINE = st.sampled_from(["\n", "\n", "\r\n"])
COMMENT_TEXT = st.sampled_from(["# note", "#", "## not a doc here", "# 'quote\" {brace}",
                                "# form\x0cfeed", "# line\u2028separator", "# para\u2029graph",
                                "# next\x85line", "# vt\x0btab", "# -> arrow", "# trailing   "])


@st.composite
def comment(draw: st.DrawFn) -> str:
    return draw(COMMENT_TEXT)


@st.composite
def atom(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["int", "float", "string", "bool", "in", "name"]))
    if kind == "int":
        return draw(INTS)
    if kind == "float":
        return draw(FLOATS)
    if kind == "string":
        q = draw(st.sampled_from(['"', "'"]))
        body = draw(STRING_BODIES)
        body = body.replace("\\'", "'").replace("'", "\\'") if q == "'" else body
        return q + body + q
    if kind == "bool":
        return draw(st.sampled_from(["true", "false"]))
    return "in" if kind == "in" else draw(NAMES)


def paren(draw: st.DrawFn, text: str) -> str:
    return f"({text})" if draw(st.integers(0, 9)) < 6 else text


@st.composite
def expr(draw: st.DrawFn, depth: int = 0, nl: bool = False) -> str:
    """An expression; ``nl``: inside brackets, where a line break (and a comment) may go."""
    if depth > 3:
        return draw(atom())
    kind = draw(st.sampled_from(["atom", "atom", "binop", "unary", "call", "attr", "index",
                                 "slice", "group", "chain", "if", "annotate", "paren"]))
    sub = expr(depth + 1, nl)
    if kind == "binop":
        return f"{paren(draw, draw(sub))} {draw(OPS)} {paren(draw, draw(sub))}"
    if kind == "unary":
        return draw(st.sampled_from(["-", "+", "not "])) + paren(draw, draw(sub))
    if kind == "call":
        return f"{draw(NAMES)}({args(draw, depth)})"
    if kind == "attr":
        return f"{draw(NAMES)}.{draw(NAMES)}"
    if kind == "index":
        return f"{draw(NAMES)}[{draw(expr(depth + 1, True))}]"
    if kind == "slice":
        a, b = draw(st.sampled_from(["", "1", "-1", "n"])), draw(st.sampled_from(["", "2", "x"]))
        step = draw(st.sampled_from(["", ":", ":2"]))
        return f"{draw(NAMES)}[{a}:{b}{step}]"
    if kind == "group":
        return group(draw, depth)
    if kind == "chain":
        return chain(draw, depth, nl)
    if kind == "if":
        return (f"if {paren(draw, draw(sub))} {{ {draw(sub)} }} else "
                f"{{ {draw(sub)} }}")
    if kind == "annotate":
        return f"{draw(NAMES)} @init(\"zeros\")"
    if kind == "paren":
        return f"({draw(expr(depth + 1, True))})"
    return draw(atom())


def args(draw: st.DrawFn, depth: int) -> str:
    items = [draw(expr(depth + 1, True)) for _ in range(draw(st.integers(0, 3)))]
    items += [f"{k}={draw(expr(depth + 1, True))}" for k in
              draw(st.lists(st.sampled_from(["s", "p", "bias"]), max_size=2, unique=True))]
    return ", ".join(items) + draw(st.sampled_from(["", "", ","]) if items else st.just(""))


def group(draw: st.DrawFn, depth: int) -> str:
    items = [element(draw, depth + 1, True) for _ in range(draw(st.integers(0, 4)))]
    if draw(st.booleans()) and items:
        items[-1] = f"for i in range(3) {{ {items[-1]} }}"
    if not draw(st.booleans()):
        return "[" + ", ".join(items) + "]"
    lines = []  # one item a line, with comments in the group
    for item in items:
        own = draw(comment()) + draw(NEWLINE) if draw(st.integers(0, 3)) == 0 else ""
        tail = " " + draw(comment()) if draw(st.integers(0, 2)) == 0 else ""
        lines.append(f"{own}    {item},{tail}")
    end = "  " + draw(comment()) + "\n" if draw(st.integers(0, 3)) == 0 else ""
    return "[" + draw(st.sampled_from(["", " # open"])) + "\n" + "\n".join(lines) + "\n" + \
        end + "]"


def element(draw: st.DrawFn, depth: int, nl: bool) -> str:
    """A chain element, maybe labelled; a template label may hold a chain or an index."""
    value = draw(expr(depth + 1, nl))
    if draw(st.integers(0, 3)) == 0:
        label = draw(st.one_of(NAMES, LABEL_TEMPLATES))
        return f"{label}: {paren(draw, value)}"
    return paren(draw, value) if " " in value else value


def chain(draw: st.DrawFn, depth: int, nl: bool) -> str:
    parts = [element(draw, depth, nl) for _ in range(draw(st.integers(2, 5)))]
    out = parts[0]
    for p in parts[1:]:
        if nl or depth == 0:
            sep = draw(st.sampled_from([" -> ", " -> ", "\n    -> ", " # c\n  -> ",
                                        "\n  # own\n  -> ", " \\\n -> "]))
        else:
            sep = " -> "
        out += sep + p
    return out


@st.composite
def statement(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["let", "assign", "input", "out", "aux", "for", "assert",
                                 "expr"]))
    value = draw(expr(0))
    if kind == "let":
        return f"let {draw(NAMES)} = {value}"
    if kind == "assign":
        return f"{', '.join(draw(st.lists(TARGETS, min_size=1, max_size=2)))} = {value}"
    if kind == "input":
        return f"input {draw(NAMES)}: [3, 32, 32]"
    if kind == "out":
        return f"out {draw(st.sampled_from(['', 'logits = ']))}{value}"
    if kind == "aux":
        return f"aux {draw(NAMES)}(weight=0.3) = {value}"
    if kind == "for":
        inner = draw(statement())
        return f"for i in range(2) {{ # loop\n  {inner}\n}}"
    if kind == "assert":
        return f"assert {value}, \"message {{}}\""
    return paren(draw, value) if value.startswith(("let", "for", "(")) else f"({value})"


@st.composite
def spec_text(draw: st.DrawFn) -> str:
    """A file of imports, lets, blocks and networks with comments everywhere."""
    nl = draw(NEWLINE)
    items = []
    for _ in range(draw(st.integers(1, 4))):
        items.append(draw(item()))
    text = ""
    for item_text in items:
        if draw(st.integers(0, 2)) == 0:
            text += draw(comment()) + "\n" + draw(st.sampled_from(["", "\n", "\n\n\n"]))
        text += item_text + draw(st.sampled_from(["\n", "\n\n", " " + "# after\n", "\n\x0c\n"]))
    if draw(st.booleans()):
        text += draw(comment())  # at the end, without a newline
    text = text.replace(" ", draw(SPACE)) if draw(st.integers(0, 4)) == 0 else text
    return text.replace("\n", nl)


@st.composite
def item(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["import", "let", "block", "network", "alias"]))
    if kind == "import":
        return draw(st.sampled_from(["import std.resnet", 'import "lib/x.arch" as x',
                                     "import std.vgg as v"]))
    if kind == "let":
        return f"let {draw(NAMES)} = {draw(expr(0))}"
    doc = draw(st.sampled_from(["", "## A doc line.\n", "## two\n##\n## lines\n"]))
    if kind == "alias":
        return f"{doc}network n = resnet(depth=50, layers=[3, 4], s=\"x\")"
    body = []
    for _ in range(draw(st.integers(0, 4))):
        lead = "  " + draw(comment()) + "\n" if draw(st.integers(0, 3)) == 0 else ""
        gap = "\n" if draw(st.integers(0, 4)) == 0 else ""
        tail = "  " + draw(comment()) if draw(st.integers(0, 3)) == 0 else ""
        body.append(f"{gap}{lead}  {draw(statement())}{tail}\n")
    end = "  " + draw(comment()) + "\n" if draw(st.integers(0, 3)) == 0 else ""
    head = "block b(c: int, k=3, s=[1, 2])" if kind == "block" else \
        draw(st.sampled_from(["network n", "network n(num_classes=10)"]))
    return f"{doc}{head} {{{draw(st.sampled_from(['', ' # header']))}\n{''.join(body)}{end}}}"
