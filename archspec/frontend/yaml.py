"""The YAML form of a spec, mapped onto the same AST as the .arch text (docs/yaml.md).

Read through PyYAML's safe composer with source marks; anchors, aliases and any non-standard
tag (``!!python/object`` ...) are rejected, so a YAML spec can neither run code nor expand
exponentially.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from archspec.errors import EvalError, SpecImportError, SpecLimitError, SpecSyntaxError
from archspec.frontend import ast as A
from archspec.frontend.names import check_name, is_name
from archspec.frontend.parse import check_bidi, check_size
from archspec.frontend.to_ast import parse_expr
from archspec.limits import LIMITS
from archspec.source import SourceFile, Span

SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq",
                                                 "map")}
TOP_KEYS = ("imports", "let", "blocks", "networks")
STMT = re.compile(r"^(let|input|out|aux|for|assert|do)\b\s*(.*)$")
FOR = re.compile(r"^(\S+)\s+in\s+(.+)$")
WHERE = re.compile(r"^(\S+)\s+where\s+(.+)$")


def parse_yaml(source: SourceFile) -> A.Module:
    return YamlReader(source).module()


class YamlReader:
    def __init__(self, source: SourceFile):
        self.source = source
        self.seen: set[int] = set()

    # ---- plumbing ---------------------------------------------------------------------
    def span(self, node: yaml.Node) -> Span:
        return Span(self.source, *self.at(node.start_mark), *self.at(node.end_mark))

    def at(self, mark: Any) -> tuple[int, int]:
        """A mark's (line, column) by its offset: YAML also breaks lines at U+0085, U+2028,
        U+2029 and a lone CR, which SourceFile (the line errors quote) does not."""
        return self.source.position(mark.index) if mark is not None else (1, 1)

    def fail(self, message: str, node: yaml.Node | None, hint: str | None = None) -> None:
        span = self.span(node) if node is not None else Span(self.source, 1, 1)
        raise SpecSyntaxError(message, span, hint=hint)

    def check(self, node: yaml.Node) -> yaml.Node:
        if id(node) in self.seen:
            self.fail("YAML anchors and aliases are not supported in specs", node,
                      "write the value out, or define a block and call it twice")
        self.seen.add(id(node))
        if node.tag not in SAFE_TAGS:
            self.fail(f"YAML tag '{node.tag}' is not allowed in specs", node,
                      "specs are plain data: only strings, numbers, booleans, lists and maps")
        return node

    def compose(self) -> yaml.Node | None:
        check_size(self.source)
        check_bidi(self.source)
        at = flow_too_deep(self.source.text)
        if at is not None:  # before PyYAML, whose scanner is quadratic in flow nesting
            raise self.too_deep(yaml.Mark("", at, 0, 0, None, None))
        try:
            root = yaml.compose(self.source.text, Loader=yaml.SafeLoader)
        except RecursionError:
            raise self.too_deep(deepest_mark(self.source.text)) from None
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            raise SpecSyntaxError(f"invalid YAML: {e.problem or e.context}",
                                  Span(self.source, *self.at(mark))) from None
        except yaml.YAMLError as e:
            raise SpecSyntaxError(f"invalid YAML: {e}", Span(self.source, 1, 1)) from None
        self.check_nesting(root)
        return root

    def check_nesting(self, root: yaml.Node | None) -> None:
        """The same bound as brackets in .arch text, walked without recursion (shared alias
        nodes once: they are refused later, but must not cost exponential time here)."""
        stack, seen = [(root, 1)], set()
        while stack:
            node, depth = stack.pop()
            if node is None or id(node) in seen or isinstance(node, yaml.ScalarNode):
                continue
            seen.add(id(node))
            if depth > LIMITS.max_nesting:
                raise self.too_deep(node.start_mark)
            items = node.value if isinstance(node, yaml.SequenceNode) else [
                n for pair in node.value for n in pair]
            stack.extend((n, depth + 1) for n in items)

    def too_deep(self, mark: Any) -> SpecLimitError:
        return SpecLimitError(f"YAML nested deeper than {LIMITS.max_nesting} levels",
                              Span(self.source, *self.at(mark)), hint="flatten the spec")

    def mapping(self, node: yaml.Node, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
        self.check(node)
        if not isinstance(node, yaml.MappingNode):
            self.fail(f"{what} must be a mapping", node)
        pairs = [(self.check(k), v) for k, v in node.value]
        seen: set[str] = set()
        for k, _ in pairs:
            if isinstance(k, yaml.ScalarNode) and k.value in seen:
                self.fail(f"duplicate key '{k.value}'", k, "each key may appear once")
            seen.add(str(k.value))
        return pairs

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        self.check(node)
        if not isinstance(node, yaml.SequenceNode):
            self.fail(f"{what} must be a list", node)
        return list(node.value)

    def key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            self.fail("keys must be plain names", node)
        return str(node.value)

    def name(self, node: yaml.Node, text: str, what: str) -> str:
        """``text``, a name written in scalar ``node``, checked by the .arch identifier rule
        (names/NAME); an error points at it inside the scalar."""
        raw = str(node.value)
        at = max(0, raw.find(text)) if text else len(raw.rstrip())
        line, col = self.at(node.start_mark)
        col += key_offset(node) + at
        return check_name(text, Span(self.source, line, col, line, col + max(1, len(text))),
                          what)

    # ---- module -----------------------------------------------------------------------
    def module(self) -> A.Module:
        root = self.compose()
        if root is None:
            return A.Module([], [], [], [], span=Span(self.source, 1, 1))
        items: list[A.Node] = []
        for k, v in self.mapping(root, "a YAML spec"):
            name = self.key(k)
            if name not in TOP_KEYS:
                self.fail(f"unknown top-level key '{name}'", k,
                          f"expected one of: {', '.join(TOP_KEYS)}")
            items += getattr(self, f"_top_{name}")(v)
        return A.Module([i for i in items if isinstance(i, A.Import)],
                        [i for i in items if isinstance(i, A.Let)],
                        [i for i in items if isinstance(i, (A.BlockDef, A.NetworkAlias))],
                        items, span=self.span(root))

    def _top_imports(self, node: yaml.Node) -> list[A.Node]:
        out: list[A.Node] = []
        for item in self.sequence(node, "imports"):
            self.check(item)
            text = str(item.value)
            name, has_alias, alias = (p.strip() for p in text.partition(" as "))
            alias = self.name(item, alias, "import alias") if has_alias else ""
            if name.endswith((".arch", ".yaml", ".yml")):
                out.append(A.Import(path=name, alias=alias or None, span=self.span(item)))
            else:
                dotted = name.split(".")
                if not all(is_name(part) for part in dotted):  # as the loader says it
                    raise SpecImportError(f"unknown module '{name}'", self.span(item),
                                          hint="import a module by its dotted name (std.NAME)"
                                               " or a file by its path (.arch, .yaml, .yml)")
                out.append(A.Import(dotted=dotted, alias=alias or None, span=self.span(item)))
        return out

    def _top_let(self, node: yaml.Node) -> list[A.Node]:
        return [A.Let(self.name(k, self.key(k), "let name"), self.expr(v), span=self.span(k))
                for k, v in self.mapping(node, "let")]

    def _top_blocks(self, node: yaml.Node) -> list[A.Node]:
        return [self.definition(k, v, False) for k, v in self.mapping(node, "blocks")]

    def _top_networks(self, node: yaml.Node) -> list[A.Node]:
        return [self.definition(k, v, True) for k, v in self.mapping(node, "networks")]

    def definition(self, k: yaml.Node, v: yaml.Node, is_network: bool) -> A.Node:
        name = self.name(k, self.key(k), "network name" if is_network else "block name")
        fields = {self.key(fk): fv for fk, fv in self.mapping(v, f"'{name}'")}
        unknown = set(fields) - {"doc", "params", "body", "alias"}
        if unknown:
            self.fail(f"unknown key '{sorted(unknown)[0]}' in '{name}'", v,
                      "a definition has doc, params and body (networks: or alias)")
        doc = str(self.check(fields["doc"]).value) if "doc" in fields else None
        if "alias" in fields and is_network:
            call = self.expr(fields["alias"])
            if not (isinstance(call, A.Call) and isinstance(call.func, A.Name)):
                self.fail("alias must be a call like resnet(depth=50)", fields["alias"])
            return A.NetworkAlias(name, call.func.id, call.args, call.kwargs, True, doc,
                                  self.span(k), span=self.span(k))
        params = self.params(fields["params"]) if "params" in fields else []
        body = self.body(fields["body"]) if "body" in fields else []
        return A.BlockDef(name, params, body, is_network, doc, self.span(k), span=self.span(k))

    # ---- parameters and statements ----------------------------------------------------
    def params(self, node: yaml.Node) -> list[A.ParamDef]:
        out = []
        for item in self.sequence(node, "params"):
            if isinstance(item, yaml.ScalarNode):
                self.check(item)
                name, type_ = self.param_name(item)
                out.append(A.ParamDef(name, type_, None, span=self.span(item)))
                continue
            (k, v), = self.mapping(item, "a parameter") or [(item, item)]
            name, type_ = self.param_name(k)
            out.append(A.ParamDef(name, type_, self.expr(v), span=self.span(k)))
        return out

    def param_name(self, node: yaml.Node) -> tuple[str, str | None]:
        name, typed, type_ = (p.strip() for p in self.key(node).partition(":"))
        return (self.name(node, name, "parameter name"),
                self.name(node, type_, "parameter type") if typed else None)

    def body(self, node: yaml.Node) -> list[A.Stmt]:
        return [self.statement(item) for item in self.sequence(node, "a body")]

    def statement(self, item: yaml.Node) -> A.Stmt:
        if isinstance(item, yaml.ScalarNode):
            self.check(item)
            return A.ExprStmt(self.expr(item), span=self.span(item))
        pairs = self.mapping(item, "a statement")
        if len(pairs) != 1:
            self.fail("a statement is a mapping with one key", item,
                      "write each statement as its own list item: `- y: in -> relu`")
        k, v = pairs[0]
        key, span = self.key(k), self.span(k)
        m = STMT.match(key)
        kind, rest = (m.group(1), m.group(2).strip()) if m else ("assign", key)
        return getattr(self, f"_stmt_{kind}")(rest, v, span, k)

    def _stmt_assign(self, rest: str, v: yaml.Node, span: Span, k: yaml.Node) -> A.Stmt:
        targets = [t.strip() for t in rest.split(",")]
        if not all(is_name(t) for t in targets):
            self.fail(f"'{rest}' is not a statement key", k,
                      "keys are NAME, 'let NAME', 'input NAME', 'out', 'out NAME', "
                      "'aux NAME', 'for VAR in EXPR', 'assert' or 'do'")
        return A.Assign(targets, self.expr(v), span=span)

    def _stmt_let(self, rest: str, v: yaml.Node, span: Span, k: yaml.Node) -> A.Stmt:
        return A.Let(self.name(k, rest, "let name"), self.expr(v), span=span)

    def _stmt_input(self, rest: str, v: yaml.Node, span: Span, k: yaml.Node) -> A.Stmt:
        """``input x: [3, H, W]``, with size bounds in the key: ``input x where H >= 32``."""
        m = WHERE.match(rest)
        if not m:
            return A.Input(self.name(k, rest, "input name"), self.expr(v), span=span)
        col = span.col + len("input ") + m.start(2) + key_offset(k)
        group = parse_expr(SourceFile(self.source.name, f"[{m.group(2)}]"), span.line, col - 1,
                           display=self.source)
        bounds = list(group.items) if isinstance(group, A.Group) else [group]
        return A.Input(self.name(k, m.group(1), "input name"), self.expr(v), bounds, span=span)

    def _stmt_out(self, rest: str, v: yaml.Node, span: Span, k: yaml.Node) -> A.Stmt:
        name = self.name(k, rest, "output name") if rest else None
        return A.Out(name, self.expr(v), span=span)

    def _stmt_aux(self, rest: str, v: yaml.Node, span: Span, k: yaml.Node) -> A.Stmt:
        fields = {self.key(fk): fv for fk, fv in self.mapping(v, "an aux output")}
        if "value" not in fields:
            self.fail("an aux output needs `value` (and optionally `weight`)", v)
        kwargs = [A.Kwarg("weight", self.expr(fields["weight"]), span=self.span(fields[
            "weight"]))] if "weight" in fields else []
        return A.Aux(self.name(k, rest, "aux output name"), self.expr(fields["value"]), [],
                     kwargs, span=span)

    def _stmt_for(self, rest: str, v: yaml.Node, span: Span, k: yaml.Node) -> A.Stmt:
        m = FOR.match(rest)
        if not m:
            self.fail("a loop key reads 'for VAR in EXPR'", k)
        it = parse_expr(SourceFile(self.source.name, m.group(2)), span.line,
                        span.col + len("for ") + m.start(2) + (rest and key_offset(k)),
                        display=self.source)
        return A.For(self.name(k, m.group(1), "loop variable"), it, self.body(v), span=span)

    def _stmt_assert(self, rest: str, v: yaml.Node, span: Span, k: yaml.Node) -> A.Stmt:
        self.nothing_after(k, "assert", rest)
        if isinstance(v, yaml.SequenceNode):
            parts = self.sequence(v, "assert")
            if len(parts) not in (1, 2):
                self.fail("assert takes a condition and an optional message", v,
                          "write `- assert: [CONDITION, MESSAGE]`")
            return A.Assert(self.expr(parts[0]), self.expr(parts[1]) if len(parts) > 1
                            else None, span=span)
        return A.Assert(self.expr(v), None, span=span)

    def _stmt_do(self, rest: str, v: yaml.Node, span: Span, k: yaml.Node) -> A.Stmt:
        self.nothing_after(k, "do", rest)
        return A.ExprStmt(self.expr(v), span=span)

    def nothing_after(self, k: yaml.Node, word: str, rest: str) -> None:
        if rest:
            self.fail(f"unexpected '{rest}' after '{word}'", k,
                      f"the key is just `{word}`; the value holds the expression")

    # ---- expressions --------------------------------------------------------------------
    def expr(self, node: yaml.Node) -> A.Expr:
        self.check(node)
        span = self.span(node)
        if isinstance(node, yaml.SequenceNode):
            return A.Group([self.expr(i) for i in node.value], span=span)
        if isinstance(node, yaml.MappingNode):
            self.fail("expected an expression, found a mapping", node,
                      "quote expressions that contain ': ' (labels)")
        tag = node.tag.rsplit(":", 1)[-1]
        if tag == "int":
            return self.integer(node, span)
        if tag == "float":
            return self.number(node, span)
        if tag == "bool":
            return A.Bool(node.value.lower() in ("true", "yes", "on"), span=span)
        if tag == "null":
            self.fail("expected an expression, found nothing", node)
        quote = 1 if node.style in ('"', "'") else 0
        sub = SourceFile(self.source.name, str(node.value))
        return parse_expr(sub, span.line, span.col + quote, display=self.source)

    def integer(self, node: yaml.ScalarNode, span: Span) -> A.Num:
        value = yaml.safe_load(node.value) if len(node.value) <= 80 else None
        if value is None or abs(value) > LIMITS.max_int:
            raise EvalError(f"integer {node.value[:24]}{'...' if len(node.value) > 24 else ''} "
                            "has more than 63 bits", span)
        return A.Num(value, span=span)

    def number(self, node: yaml.ScalarNode, span: Span) -> A.Num:
        value = float(yaml.safe_load(node.value))
        if value != value or value in (float("inf"), float("-inf")):
            self.fail(f"number {node.value} is not finite", node)
        return A.Num(value, span=span)


FLOW = re.compile(r"[\[\]{}]")


def flow_too_deep(text: str) -> int | None:
    """The offset of the first bracket nested deeper than the limit (brackets inside quoted
    strings count too: a spec has no reason to hold 200 unclosed ones)."""
    depth = 0
    for m in FLOW.finditer(text):
        depth += 1 if m.group() in "[{" else -1
        if depth > LIMITS.max_nesting:
            return m.start()
    return None


def deepest_mark(text: str) -> Any:
    """Where the token stream first nests deeper than the limit (the composer recursed too
    deep to say); the scanner is iterative."""
    depth = 0
    opening = (yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken,
               yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)
    closing = (yaml.BlockEndToken, yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)
    try:
        for tok in yaml.scan(text, Loader=yaml.SafeLoader):
            depth += isinstance(tok, opening) - isinstance(tok, closing)
            if depth > LIMITS.max_nesting:
                return tok.start_mark
    except (yaml.YAMLError, RecursionError):
        pass
    return None


def key_offset(k: yaml.Node) -> int:
    return 1 if getattr(k, "style", None) in ('"', "'") else 0
