"""Exact integer size expressions: integer affine forms over symbols and floor atoms.

A `SizeExpr` is ``const + Σ coeff·atom`` where an atom is a size symbol (``H``) or
``⌊N/d⌋`` with ``N`` itself a `SizeExpr` and ``d ≥ 2``. Expressions are immutable,
hashable and kept in a canonical form (see docs/symbolic.md), so structural equality
is the equality users expect for every form a network produces.
"""

from __future__ import annotations

import ast
from math import gcd, lcm
from typing import Union

IntOrExpr = Union[int, "SizeExpr"]


class Symbol:
    """A named size symbol (an input height or width); always a positive integer."""

    __slots__ = ("name", "key")

    def __init__(self, name: str) -> None:
        self.name = name
        self.key = (0, name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Symbol) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.key)

    def evaluate(self, env: dict[str, int]) -> int:
        return env[self.name]


class Floor:
    """The atom ``⌊num/den⌋``; build it only through `floor_div`, which canonicalises."""

    __slots__ = ("num", "den", "key", "_hash")

    def __init__(self, num: SizeExpr, den: int) -> None:
        self.num = num
        self.den = den
        self.key = (1, num.key, den)
        self._hash = hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Floor) and other.key == self.key

    def __hash__(self) -> int:
        return self._hash

    def evaluate(self, env: dict[str, int]) -> int:
        return self.num.evaluate(env) // self.den


Atom = Union[Symbol, Floor]


class SizeExpr:
    """An exact integer expression in size symbols; see the module docstring."""

    __slots__ = ("terms", "const", "key", "_hash", "_symbols", "_periods")

    def __init__(self, terms: tuple[tuple[Atom, int], ...], const: int) -> None:
        self.terms = terms
        self.const = const
        self.key = (tuple((atom.key, c) for atom, c in terms), const)
        self._hash = hash(self.key)
        self._symbols: frozenset[str] | None = None
        self._periods: dict[str, int] = {}

    # construction -------------------------------------------------------------------
    @staticmethod
    def symbol(name: str) -> SizeExpr:
        return SizeExpr(((Symbol(name), 1),), 0)

    @staticmethod
    def constant(value: int) -> SizeExpr:
        return SizeExpr((), int(value))

    @staticmethod
    def parse(text: str) -> SizeExpr:
        """Parse the plain-text form (``(H - 1)//32 + 1``); never evaluates code."""
        return parse_plain(text)

    # inspection ---------------------------------------------------------------------
    @property
    def is_constant(self) -> bool:
        return not self.terms

    @property
    def symbols(self) -> frozenset[str]:
        if self._symbols is None:
            names: set[str] = set()
            for atom, _ in self.terms:
                names |= {atom.name} if isinstance(atom, Symbol) else atom.num.symbols
            self._symbols = frozenset(names)
        return self._symbols

    def __int__(self) -> int:
        if self.terms:
            raise TypeError(f"size {self} is symbolic, not an integer")
        return self.const

    def __index__(self) -> int:
        return self.__int__()

    # equality -----------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if isinstance(other, int):
            return not self.terms and self.const == other
        return isinstance(other, SizeExpr) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.const) if not self.terms else self._hash

    def __bool__(self) -> bool:
        if not self.terms:
            return self.const != 0
        raise TypeError("the truth of a symbolic size is undecided; use a Constraint")

    # arithmetic ---------------------------------------------------------------------
    def __add__(self, other: IntOrExpr) -> SizeExpr:
        if type(other) is int:  # the common case (an offset) keeps the canonical terms
            return SizeExpr(self.terms, self.const + other) if other else self
        other = as_expr(other)
        if not other.terms:
            return SizeExpr(self.terms, self.const + other.const)
        return _from_map(_merge(_term_map(self), other.terms, 1), self.const + other.const)

    __radd__ = __add__

    def __neg__(self) -> SizeExpr:
        return self * -1

    def __sub__(self, other: IntOrExpr) -> SizeExpr:
        if type(other) is int:
            return SizeExpr(self.terms, self.const - other) if other else self
        other = as_expr(other)
        return _from_map(_merge(_term_map(self), other.terms, -1), self.const - other.const)

    def __rsub__(self, other: IntOrExpr) -> SizeExpr:
        return as_expr(other) - self

    def __mul__(self, factor: IntOrExpr) -> SizeExpr:
        k = _as_scalar(factor, self)
        if k == 0:
            return SizeExpr((), 0)
        return SizeExpr(tuple((atom, c * k) for atom, c in self.terms), self.const * k)

    def __rmul__(self, factor: IntOrExpr) -> SizeExpr:
        return self.__mul__(factor)

    def __floordiv__(self, divisor: int) -> SizeExpr:
        return floor_div(self, _positive_int(divisor))

    def __mod__(self, divisor: int) -> SizeExpr:
        d = _positive_int(divisor)
        return self - floor_div(self, d) * d

    def ceil_div(self, divisor: int) -> SizeExpr:
        """⌈self/d⌉, as the floor ⌊(self + d - 1)/d⌋."""
        d = _positive_int(divisor)
        return floor_div(self + (d - 1), d)

    # evaluation ---------------------------------------------------------------------
    def evaluate(self, env: dict[str, int]) -> int:
        """The integer value with every symbol bound (KeyError names a missing one)."""
        total = self.const
        for atom, c in self.terms:
            total += c * atom.evaluate(env)
        return total

    def subs(self, values: dict[str, IntOrExpr]) -> SizeExpr:
        """Substitute integers or expressions for symbols; the result is canonical."""
        if not self.symbols & values.keys():
            return self
        total = SizeExpr((), self.const)
        for atom, c in self.terms:
            if isinstance(atom, Symbol):
                total = total + as_expr(values.get(atom.name, SizeExpr.symbol(atom.name))) * c
            else:
                total = total + floor_div(atom.num.subs(values), atom.den) * c
        return total

    def __call__(self, **values: IntOrExpr) -> IntOrExpr:
        """``expr(H=224)``: an int when every symbol is bound, else a smaller SizeExpr."""
        result = self.subs(values)
        return result.const if result.is_constant else result

    def period(self, name: str) -> int:
        """A period P such that the expression is integer-affine in u on every class
        ``name = r + P·u`` (other symbols fixed or likewise split)."""
        if name not in self._periods:
            self._periods[name] = _period(self, name)
        return self._periods[name]

    # printing -----------------------------------------------------------------------
    def __str__(self) -> str:
        from archspec.symbolic.printing import to_unicode

        return to_unicode(self)

    def __repr__(self) -> str:
        return f"SizeExpr({self.plain()!r})"

    def plain(self) -> str:
        """Python-style text: ``(H - 1)//32 + 1``."""
        from archspec.symbolic.printing import to_plain

        return to_plain(self)

    def sympy_text(self) -> str:
        """Text sympy's parser (and torch's symbolic shapes) read: ``floor((H - 1)/32) + 1``."""
        from archspec.symbolic.printing import to_sympy

        return to_sympy(self)


def sym(name: str) -> SizeExpr:
    """The size symbol `name` as an expression."""
    return SizeExpr.symbol(name)


def as_expr(value: IntOrExpr) -> SizeExpr:
    if isinstance(value, SizeExpr):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return SizeExpr((), value)
    raise TypeError(f"expected an int or SizeExpr, got {type(value).__name__}")


def _as_scalar(factor: IntOrExpr, expr: SizeExpr) -> int:
    if isinstance(factor, SizeExpr):
        if factor.terms and expr.terms:
            raise TypeError(f"({expr}) · ({factor}) is not affine: sizes multiply only by ints")
        factor = factor.const if not factor.terms else factor
    if isinstance(factor, int) and not isinstance(factor, bool):
        return factor
    raise TypeError(f"a size multiplies only by an int, not {type(factor).__name__}")


def _positive_int(divisor: int) -> int:
    if isinstance(divisor, SizeExpr) and divisor.is_constant:
        divisor = divisor.const
    if not isinstance(divisor, int) or isinstance(divisor, bool) or divisor < 1:
        raise ValueError(f"a size divides only by a positive int, not {divisor!r}")
    return divisor


def _term_map(expr: SizeExpr) -> dict[Atom, int]:
    return dict(expr.terms)


def _merge(acc: dict[Atom, int], terms: tuple[tuple[Atom, int], ...], sign: int) -> dict:
    for atom, c in terms:
        acc[atom] = acc.get(atom, 0) + sign * c
    return acc


def _from_map(acc: dict[Atom, int], const: int) -> SizeExpr:
    terms = [(a, c) for a, c in acc.items() if c]
    if len(terms) > 1:
        terms.sort(key=_atom_order)
    return SizeExpr(tuple(terms), const)


def _atom_order(term: tuple[Atom, int]) -> tuple:
    return term[0].key


def floor_div(num: SizeExpr, den: int) -> SizeExpr:
    """⌊num/den⌋ in canonical form (docs/symbolic.md, "Canonical form")."""
    if den == 1:
        return num
    outside: dict[Atom, int] = {}
    inside: dict[Atom, int] = {}
    for atom, c in num.terms:
        if c % den == 0:
            outside[atom] = c // den
        else:
            inside[atom] = c
    if not inside:
        return _from_map(outside, num.const // den)
    lifted = -((-num.const) // den)  # ⌈const/den⌉ leaves a remainder in (-den, 0]
    rest = num.const - lifted * den
    return _from_map(outside, lifted) + _reduced_floor(inside, rest, den)


def _reduced_floor(inside: dict[Atom, int], rest: int, den: int) -> SizeExpr:
    g = gcd(den, *inside.values())
    if g > 1:
        return floor_div(_from_map({a: c // g for a, c in inside.items()}, rest // g), den // g)
    nested = _collapsible(inside)
    if nested is not None:
        return _collapse(inside, rest, den, nested)
    return SizeExpr(((Floor(_from_map(inside, rest), den), 1),), 0)


def _collapsible(inside: dict[Atom, int]) -> Floor | None:
    candidates = [a for a, c in inside.items() if isinstance(a, Floor) and c in (1, -1)]
    return min(candidates, key=lambda a: a.key) if candidates else None


def _collapse(inside: dict[Atom, int], rest: int, den: int, atom: Floor) -> SizeExpr:
    """⌊(±⌊x/a⌋ + Y)/b⌋ = ⌊(x' + a·Y)/(a·b)⌋ with x' = x, or -x + a - 1 for the minus sign
    (since -⌊x/a⌋ = ⌊(-x + a - 1)/a⌋ for integer x); exact because Y is integer-valued."""
    a = atom.den
    inner = atom.num if inside[atom] == 1 else (a - 1) - atom.num
    others = {k: c for k, c in inside.items() if k != atom}
    return floor_div(inner + _from_map(others, rest) * a, a * den)


def _period(expr: SizeExpr, name: str) -> int:
    period = 1
    for atom, _ in expr.terms:
        if isinstance(atom, Floor) and name in atom.num.symbols:
            period = lcm(period, _atom_period(atom, name))
    return period


def _atom_period(atom: Floor, name: str) -> int:
    inner = atom.num.period(name)
    if inner > 1:
        return inner * atom.den
    slope = sum(c for a, c in atom.num.terms if isinstance(a, Symbol) and a.name == name)
    return atom.den // gcd(slope, atom.den)


def parse_plain(text: str) -> SizeExpr:
    """Parse ``(H - 1)//32 + 1`` style text into a canonical SizeExpr."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ValueError(f"not a size expression: {text!r}") from err
    try:
        return as_expr(_convert(tree.body, text))
    except TypeError as err:
        raise ValueError(f"not an affine size expression: {text!r} ({err})") from err


def _convert(node: ast.AST, text: str) -> SizeExpr | int:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Name):
        return SizeExpr.symbol(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _convert(node.operand, text)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _convert(node.left, text), _convert(node.right, text)
        return _BINARY[type(node.op)](left, right)
    raise ValueError(f"unsupported syntax in size expression {text!r}: {ast.dump(node)[:60]}")


def _floordiv(left: SizeExpr | int, right: SizeExpr | int) -> SizeExpr:
    return as_expr(left) // int(right)


_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: _floordiv,
}
