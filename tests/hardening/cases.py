"""Bad inputs, each with the error it must give (issue 7). Every case runs in a forked,
address-space-limited child (forkserver.py); tests/hardening/test_bad_input.py asserts the
error and the time and memory it took.

A case writes its files into its own directory and calls the public API, so what is tested is
what a user gets: ``archspec.load`` / ``audit`` / ``build`` or the CLI's ``main``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NET = "network n {{\n  input x: [3, 8, 8]\n{body}\n}}\n"


@dataclass
class Expect:
    """The first (or only) error: kind, message (exact), location, and a piece of the hint."""

    kind: str
    message: str
    line: int | None = None
    col: int | None = None
    hint: str | None = None


@dataclass
class Case:
    run: Callable[[Path], Any]
    expect: Expect | None = None        # None: the call succeeds, returning ``value``
    value: Any = None
    torch: bool = False                 # imports torch first (not counted in the bounds)
    files: dict[str, str | bytes] = field(default_factory=dict)


def write(d: Path, files: dict[str, str | bytes]) -> None:
    for name, data in files.items():
        path = d / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def load_file(name: str, **files: str | bytes) -> Callable[[Path], Any]:
    """Write ``files`` and load ``name`` (a file name such as main_arch -> main.arch)."""
    def run(d: Path) -> Any:
        import archspec
        write(d, {k.replace("_arch", ".arch").replace("_yaml", ".yaml"): v
                  for k, v in files.items()})
        net = archspec.load(d / name)
        return {k: list(v) for k, v in net.outputs.items()}
    return run


def body(text: str) -> Callable[[Path], Any]:
    """A network whose body is ``text`` (input x: 3×8×8 on line 2, the body from line 3)."""
    return load_file("main.arch", main_arch=NET.format(body=text))


def spec(text: str) -> Callable[[Path], Any]:
    return load_file("main.arch", main_arch=text)


def yaml_spec(text: str) -> Callable[[Path], Any]:
    return load_file("main.yaml", main_yaml=text)


def audit(text: str) -> Callable[[Path], Any]:
    def run(d: Path) -> Any:
        import archspec
        write(d, {"main.arch": text})
        net = archspec.load(d / "main.arch")
        report = net.audit()
        return {"outputs": {k: list(v) for k, v in net.outputs.items()},
                "params": report.params, "macs": report.macs}
    return run


def build(text: str) -> Callable[[Path], Any]:
    def run(d: Path) -> Any:
        import archspec
        write(d, {"main.arch": text})
        archspec.build(d / "main.arch")
        return "built"
    return run


def cli(text: str, *args: str) -> Callable[[Path], Any]:
    """``archspec check main.arch``: the exit code and whether a traceback was printed."""
    def run(d: Path) -> Any:
        import contextlib
        import io

        from archspec.cli import main
        write(d, {"main.arch": text})
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["check", str(d / "main.arch"), *args])
        return {"exit": code, "traceback": "Traceback" in err.getvalue(),
                "located": "main.arch:" in err.getvalue()}
    return run


def laughs(levels: int = 12, width: int = 9) -> str:
    """YAML 'billion laughs': each anchor repeats the previous one ``width`` times."""
    lines = ["let:", f"  a0: &a0 [{', '.join(['1'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def blocks_tree(depth: int) -> str:
    """b0 calls b1 twice, b1 calls b2 twice ...: 2**depth relus from a short file."""
    out = [f"block b{i}() {{\n  out in -> b{i + 1}() -> b{i + 1}()\n}}" for i in range(depth)]
    out.append(f"block b{depth}() {{\n  out in -> relu\n}}")
    return "\n".join(out) + "\n" + NET.format(body="  out x -> b0()")


def call_chain(depth: int, expr_depth: int) -> str:
    """Blocks nested ``depth`` deep, the innermost evaluating an expression ``expr_depth``
    deep: together they exceed Python's stack though each alone is within its limit."""
    out = [f"block b{i}() {{\n  y = in -> lbl: [b{i + 1}()]\n  out y\n}}" for i in range(depth)]
    expr = " ** ".join(["1"] * expr_depth)
    out.append(f"block b{depth}() {{\n  let a = {expr}\n  out in -> relu\n}}")
    return "\n".join(out) + "\n" + NET.format(body="  out x -> b0()")


TERA = 1_000_000_000_000
BIG_CONV = NET.format(body=f"  out x -> conv({TERA}, 3)")
PWNED = "/tmp/archspec-hardening-pwned"

CASES: dict[str, Case] = {
    # ---- the file itself ---------------------------------------------------------------
    "empty_file": Case(spec(""), Expect("SpecNameError", "the spec defines no network", 1, 1)),
    "binary_garbage": Case(spec(bytes(range(256)) * 64), Expect(
        "SpecSyntaxError", "the file is not valid UTF-8", 2, 118, "UTF-8")),
    "nul_bytes": Case(spec("network n {\n  input x: [3, 8, 8]\x00\n}\n"), Expect(
        "SpecSyntaxError", "the file contains NUL bytes (binary data?)", 2, 21)),
    "invalid_utf8": Case(spec(b"# caf\xe9\nnetwork n {}\n"), Expect(
        "SpecSyntaxError", "the file is not valid UTF-8", 1, 6, "save the spec as UTF-8")),
    "file_10mb": Case(spec("#" * (10 * 2**20)), Expect(
        "SpecLimitError", "spec file is larger than 128 KiB", 1, 1, "import")),
    "string_10mb": Case(lambda d: __import__("archspec").load("#" * (10 * 2**20) + "\n"),
                        Expect("SpecLimitError", "spec file is 10.00 MiB; the limit is 128 KiB",
                               1, 1)),
    "dev_zero": Case(lambda d: __import__("archspec").load(_link(d, "/dev/zero")),
                     Expect("SpecImportError", "cannot read a character device: a spec must "
                            "be a regular file", 1, 1, "the path of a spec file")),
    "bidi_override": Case(body("  out x -> relu  # \u202e }\u2066 evil"), Expect(
        "SpecSyntaxError", "bidirectional control character U+202E RIGHT-TO-LEFT OVERRIDE",
        3, 20)),
    "zero_width_space": Case(body("  out x\u200b -> relu"), Expect(
        "SpecSyntaxError", "unexpected character '\\u200b'", 3, 8, "U+200B ZERO WIDTH SPACE")),
    # ---- nesting and size ---------------------------------------------------------------
    "groups_10000_deep": Case(body("  out x -> " + "[" * 10_000 + "relu" + "]" * 10_000),
                              Expect("SpecLimitError", "brackets nested deeper than 200", 3,
                                     211, "flatten")),
    "parens_10000_deep": Case(body("  let a = " + "(" * 10_000 + "1" + ")" * 10_000 +
                                   "\n  out x"),
                              Expect("SpecLimitError", "brackets nested deeper than 200", 3,
                                     210)),
    "sum_10000_terms": Case(body("  let a = " + " + ".join(["1"] * 10_000) + "\n  out x"),
                            Expect("SpecLimitError", "expression nested deeper than 200 levels",
                                   3, 11, "let")),
    "minus_50000": Case(body("  let a = " + "-" * 50_000 + "1\n  out x"), Expect(
        "SpecLimitError", "expression nested deeper than 200 levels", 3, 207)),
    "chain_5000_layers": Case(body("  out x" + " -> relu" * 5000), value={"out": [3, 8, 8]}),
    "yaml_10000_deep": Case(yaml_spec("networks: " + "[" * 10_000 + "]" * 10_000 + "\n"),
                            Expect("SpecLimitError", "YAML nested deeper than 200 levels", 1,
                                   211)),
    "yaml_block_nesting": Case(yaml_spec("networks:\n  " + "- " * 20_000 + "x\n"), Expect(
        "SpecLimitError", "YAML nested deeper than 200 levels", 2, 401)),
    "int_5000_digits": Case(body("  let a = " + "9" * 5000 + "\n  out x"), Expect(
        "EvalError", "integer 999999999999999999999999... has more than 63 bits", 3, 11)),
    # ---- runaway elaboration --------------------------------------------------------------
    "repeat_1e9": Case(spec("block b() {\n  out in -> relu\n}\n" + NET.format(
        body="  out x -> b() * 1000000000")), Expect(
        "SpecLimitError", "repeat count 1,000,000,000 exceeds the limit of 10,000", 6, 12)),
    "nested_repeats": Case(body("  out x -> (relu * 10000) * 10000"), Expect(
        "SpecLimitError", "the network elaborates to more than 30,000 primitive nodes", 3, 13)),
    "nested_loops_nodes": Case(body("  y = x\n  for i in range(10000) {\n"
                                    "    for j in range(10000) { y = y -> relu }\n  }\n  out y"),
                               Expect("SpecLimitError", "the network elaborates to more than "
                                      "30,000 primitive nodes", 5, 38, "repeat")),
    "nested_loops_no_nodes": Case(body("  for i in range(10000) {\n    for j in range(10000) "
                                       "{ let z = i }\n  }\n  out x"), Expect(
        "SpecLimitError", "elaboration takes more than 700,000 steps (loop iterations, block "
        "calls, nodes, list elements)", 4, 5, "multiply")),
    "loop_of_errors": Case(body("  for i in range(10000) {\n    for j in range(10000) "
                                "{ let z = nope }\n  }\n  out x"),
                           Expect("SpecNameError", "unknown name 'nope'", 4, 37)),
    "exponential_blocks": Case(spec(blocks_tree(40)), Expect(
        "SpecLimitError", "elaboration takes more than 700,000 steps (loop iterations, block "
        "calls, nodes, list elements)", 116, 13)),
    "list_doubling": Case(body("  let s = [1]\n  for i in range(60) { s = [s, s] }\n"
                               "  let t = s == s\n  out x"), Expect(
        "SpecLimitError", "a list of more than 100,000 elements (nested lists counted in full)",
        4, 28)),
    "string_doubling": Case(body('  let s = "ab"\n  for i in range(60) { s = s + s }\n  out x'),
                            Expect("SpecLimitError", "a string of more than 100,000 characters",
                                   4, 28)),
    "list_reads": Case(body("  let big = [0] * 10000\n  for i in range(10000) {\n"
                            "    for j in range(100) { let s = sum(big) }\n  }\n  out x"),
                       Expect("SpecLimitError", "elaboration takes more than 700,000 steps "
                              "(loop iterations, block calls, nodes, list elements)", 5, 35)),
    "deep_calls_and_expression": Case(spec(call_chain(60, 190)), Expect(
        "SpecLimitError", "the spec nests too deeply to elaborate (block calls and expressions "
        "together)")),
    "self_recursion": Case(spec("block b() {\n  out in -> b()\n}\n" + NET.format(
        body="  out x -> b()")), Expect("GraphError", "block 'b' calls itself (b -> b)", 2, 13)),
    "mutual_recursion": Case(spec("block a() {\n  out in -> b()\n}\nblock b() {\n"
                                  "  out in -> a()\n}\n" + NET.format(body="  out x -> a()")),
                             Expect("GraphError", "block 'a' calls itself (a -> b -> a)", 5,
                                    13)),
    "let_refers_to_itself": Case(spec("let a = a + 1\n" + NET.format(
        body="  out x -> conv(a, 3)")), Expect("SpecNameError",
                                               "'a' is defined in terms of itself", 1, 9)),
    # ---- imports ------------------------------------------------------------------------
    "import_cycle": Case(load_file("a.arch", a_arch='import "b.arch"\n' + NET.format(
        body="  out x"), b_arch='import "a.arch"\n'), Expect(
        "SpecImportError", "import cycle: a.arch -> b.arch -> a.arch", 1, 1, "shared")),
    "import_missing": Case(spec('import "missing.arch"\n' + NET.format(body="  out x")),
                           Expect("SpecImportError", "cannot find 'missing.arch'", 1, 1)),
    "import_binary": Case(load_file("main.arch", main_arch='import "lib.arch"\n' + NET.format(
        body="  out x"), lib_arch=bytes(range(256))), Expect(
        "SpecSyntaxError", "the file is not valid UTF-8", 2, 118)),
    "import_yaml_std_escape": Case(yaml_spec(
        "imports:\n  - std./tmp/evil\nnetworks:\n  n:\n    body:\n      - input x: [3, 8, 8]\n"
        "      - out: x\n"), Expect("SpecImportError", "unknown module 'std./tmp/evil'", 2, 5)),
    # ---- YAML -----------------------------------------------------------------------------
    "yaml_billion_laughs": Case(yaml_spec(laughs()), Expect(
        "SpecSyntaxError", "YAML anchors and aliases are not supported in specs", 2, 7,
        "write the value out")),
    "yaml_python_object": Case(yaml_spec(
        f"networks: !!python/object/apply:os.system ['touch {PWNED}']\n"), Expect(
        "SpecSyntaxError", "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not "
        "allowed in specs", 1, 11)),
    "yaml_python_name": Case(yaml_spec("let:\n  a: !!python/name:os.system\n"), Expect(
        "SpecSyntaxError", "YAML tag 'tag:yaml.org,2002:python/name:os.system' is not allowed "
        "in specs", 2, 6)),
    "yaml_custom_tag": Case(yaml_spec("let:\n  a: !include /etc/passwd\n"), Expect(
        "SpecSyntaxError", "YAML tag '!include' is not allowed in specs", 2, 6)),
    "yaml_duplicate_key": Case(yaml_spec("networks:\n  n:\n    body: []\n    body: []\n"),
                               Expect("SpecSyntaxError", "duplicate key 'body'", 4, 5)),
    "yaml_nan": Case(yaml_spec("let:\n  a: .nan\n"), Expect(
        "SpecSyntaxError", "number .nan is not finite", 2, 6)),
    "yaml_huge_int": Case(yaml_spec("let:\n  a: " + "9" * 5000 + "\n"), Expect(
        "EvalError", "integer 999999999999999999999999... has more than 63 bits", 2, 6)),
    # ---- huge sizes -----------------------------------------------------------------------
    "conv_1e12_check": Case(spec(BIG_CONV), value={"out": [TERA, 6, 6]}),
    "conv_1e12_audit": Case(audit(BIG_CONV), value={
        "outputs": {"out": [TERA, 6, 6]}, "params": TERA * 27 + TERA,
        "macs": TERA * 27 * 36}),
    "conv_1e12_build": Case(build(BIG_CONV), Expect(
        "SpecLimitError", "network 'n' needs about 104308.13 GiB of parameters and buffers, "
        "over the limit of 4.00 GiB", 1, 1, "max_param_bytes"), torch=True),
    "upsample_1e12": Case(body("  out x -> upsample(scale=1000000000000)"), Expect(
        "SpecLimitError", "upsample output 3×8000000000000×8000000000000 has a dimension over "
        "1,099,511,627,776", 3, 12)),
    # ---- arithmetic -----------------------------------------------------------------------
    "int_overflow_pow": Case(body("  let a = 2 ** 100\n  out x"), Expect(
        "EvalError", "overflow: the result of '**' is too large", 3, 11)),
    "int_overflow_mul": Case(body("  let a = 4611686018427387904 * 4\n  out x"), Expect(
        "EvalError", "integer overflow: the result has more than 63 bits", 3, 11)),
    "int_overflow_builtin": Case(body("  let a = int(1e300)\n  out x"), Expect(
        "EvalError", "integer overflow: the result has more than 63 bits", 3, 11)),
    "division_by_zero": Case(body("  let a = 1 / 0\n  out x"), Expect(
        "EvalError", "division by zero", 3, 11)),
    "floordiv_by_zero": Case(body("  let a = 7 // (3 - 3)\n  out x"), Expect(
        "EvalError", "division by zero", 3, 11)),
    "modulo_by_zero": Case(body("  let a = 7 % 0\n  out x"), Expect(
        "EvalError", "division by zero", 3, 11)),
    "nan_literal": Case(body("  let a = nan\n  out x"), Expect(
        "SpecNameError", "unknown name 'nan'", 3, 11, "no NaN or infinity")),
    "inf_literal": Case(body("  out x -> scale(inf)"), Expect(
        "SpecNameError", "unknown name 'inf'", 3, 18, "no NaN or infinity")),
    "float_literal_overflow": Case(body("  let a = 1e400\n  out x"), Expect(
        "EvalError", "number 1e400 is not finite", 3, 11)),
    "float_result_overflow": Case(body("  let a = 1e300 * 1e300\n  out x"), Expect(
        "EvalError", "the result is not a finite number", 3, 11)),
    "max_without_args": Case(body("  let a = max()\n  out x"), Expect(
        "SpecTypeError", "max() needs a list or at least two numbers", 3, 11)),
    "list_slice_step_zero": Case(body("  let a = [1, 2][0:2:0]\n  out x"), Expect(
        "EvalError", "slice step cannot be zero", 3, 11)),
    # ---- names --------------------------------------------------------------------------
    "shadow_let": Case(body("  let conv = 3\n  out x"), Expect(
        "SpecNameError", "'conv' shadows the primitive 'conv'", 3, 3, "conv_")),
    "shadow_block": Case(spec("block relu() {\n  out in -> sigmoid\n}\n" + NET.format(
        body="  out x -> relu")), Expect("SpecNameError", "'relu' shadows the primitive 'relu'",
                                         1, 7)),
    "shadow_file_let": Case(spec("let range = 3\n" + NET.format(body="  out x")), Expect(
        "SpecNameError", "'range' shadows the built-in function 'range'", 1, 1)),
    "shadow_loop_var": Case(body("  for max in range(2) { }\n  out x"), Expect(
        "SpecNameError", "'max' shadows the built-in function 'max'", 3, 3)),
    "shadow_import_alias": Case(spec("import std.resnet as bn\n" + NET.format(body="  out x")),
                                Expect("SpecNameError", "'bn' shadows the primitive 'bn'", 1, 1)),
    "confusable_cyrillic": Case(body("  out x -> \u0441onv(8, 3)"), Expect(
        "SpecNameError", "unknown name '\u0441onv'", 3, 12,
        "'\u0441onv' is spelled with U+0441 CYRILLIC SMALL LETTER ES; did you mean 'conv'?")),
    "confusable_greek": Case(body("  out x -> c\u03bfnv(8, 3)"), Expect(
        "SpecNameError", "unknown name 'c\u03bfnv'", 3, 12, "U+03BF GREEK SMALL LETTER OMICRON")),
    "confusable_fullwidth": Case(body("  out x -> \uff52\uff45\uff4c\uff55"), Expect(
        "SpecNameError", "unknown name '\uff52\uff45\uff4c\uff55'", 3, 12,
        "did you mean 'relu'?")),
    "mixed_script_name": Case(body("  let \u0430b = 3\n  out x"), Expect(
        "SpecNameError", "name '\u0430b' mixes Cyrillic and Latin letters (U+0430 CYRILLIC SMALL "
        "LETTER A)", 3, 3, "'ab'")),
    # ---- the command line -----------------------------------------------------------------
    "cli_deep_nesting": Case(cli(NET.format(body="  out x -> " + "[" * 10_000 + "]" * 10_000)),
                             value={"exit": 2, "traceback": False, "located": True}),
    "cli_runaway": Case(cli(NET.format(body="  out x -> (relu * 10000) * 10000")),
                        value={"exit": 2, "traceback": False, "located": True}),
    "cli_bad_param": Case(cli(NET.format(body="  out x"), "-p", "w=" + "[" * 5000),
                          value={"exit": 2, "traceback": False, "located": False}),
}


def _link(d: Path, target: str) -> Path:
    link = d / "zero.arch"
    if not link.is_symlink():
        link.symlink_to(target)
    return link


def largest_file(kind: str) -> str:
    """A valid spec just under the 128 KiB limit: many constants, or one long network."""
    if kind == "lets":
        lets = "".join(f"let a{i} = {i} * 2 + 1\n" for i in range(12_000))
        return lets[:125_000].rsplit("\n", 1)[0] + "\n" + NET.format(body="  out x")
    lines = "".join(f"  y{i} = x -> conv(4, 3, p=1) -> relu\n" for i in range(7000))
    return NET.format(body=lines[:125_000].rsplit("\n", 2)[0] + "\n  out x")


CASES["largest_file_lets"] = Case(spec(largest_file("lets")), value={"out": [3, 8, 8]})
CASES["largest_file_network"] = Case(spec(largest_file("net")), value={"out": [3, 8, 8]})


def library(i: int) -> str:
    """About 64 KB of block definitions (never called: only parsed)."""
    one = "block b{i}_{j}(c) {{\n  out in -> conv(c, 3, p=1) -> bn -> relu\n}}\n"
    return "".join(one.format(i=i, j=j) for j in range(1500))[:64_000].rsplit("block", 1)[0]


CASES["imports_at_total_limit"] = Case(load_file(
    "main.arch", main_arch="".join(f'import "lib{i}.arch"\n' for i in range(3)) +
    NET.format(body="  out x"), **{f"lib{i}_arch": library(i) for i in range(3)}),
    value={"out": [3, 8, 8]})
CASES["bare_primitive_applied"] = Case(body("  out x -> c5: conv#(192, 3)"), Expect(
    "ArgumentError", "conv is missing required argument 'out'", 3, 16, "conv(out, kernel"))
CASES["densenet_runaway"] = Case(spec("import std.densenet\n\nnetwork d = densenet("
                                      "block_config=[6121, 12, 24, 16])\n"), Expect(
    "SpecLimitError", "elaboration takes more than 700,000 steps (loop iterations, block calls, "
    "nodes, list elements)", 22, 13))
