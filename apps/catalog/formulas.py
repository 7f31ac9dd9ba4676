"""Safe evaluation of the formulas staff write into product templates.

A formula is parsed once into Python's AST, checked against a whitelist of node types and then interpreted
node by node; nothing is ever handed to `eval`/`exec`. The whitelist admits numbers, short strings, booleans,
names, arithmetic, comparisons, `and`/`or`/`not`, `a if cond else b` and calls of a few pure math functions.
Everything else (attribute access, subscripts, lambdas, comprehensions, names starting with an underscore) is
refused with a message when the formula is parsed.

All arithmetic is done on floats, so an oversized power overflows at once instead of building a huge integer
(`9**9**9`), and exponents are bounded anyway. Strings only compare; they cannot be concatenated or repeated,
so a formula cannot grow memory.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

MAX_LENGTH = 500
MAX_DEPTH = 24
MAX_NODES = 200
MAX_STRING = 100
MAX_EXPONENT = 64
MAX_MAGNITUDE = 1e15

Value = float | str | bool


class FormulaError(ValueError):
    """A formula that cannot be accepted or evaluated; the message is shown to staff or customers as is."""


def _round(value: float, digits: float = 0) -> float:
    if digits != int(digits) or not 0 <= digits <= 6:
        raise FormulaError("round() takes between 0 and 6 decimal digits.")
    return float(round(value, int(digits)))


def _sqrt(value: float) -> float:
    if value < 0:
        raise FormulaError("sqrt() of a negative number.")
    return math.sqrt(value)


def _len(value: str) -> float:
    if not isinstance(value, str):
        raise FormulaError("len() takes a text value.")
    return float(len(value))


# name -> (function, minimum arguments, maximum arguments, takes numbers only)
FUNCTIONS: dict[str, tuple[Callable[..., Value], int, int, bool]] = {
    "min": (min, 2, 8, True),
    "max": (max, 2, 8, True),
    "abs": (abs, 1, 1, True),
    "round": (_round, 1, 2, True),
    "ceil": (lambda v: float(math.ceil(v)), 1, 1, True),
    "floor": (lambda v: float(math.floor(v)), 1, 1, True),
    "sqrt": (_sqrt, 1, 1, True),
    "len": (_len, 1, 1, False),
}

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_SYMBOL = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}


@dataclass(frozen=True, eq=False)
class Formula:
    """A parsed, whitelisted formula. `names` are the variables it reads (function names excluded)."""

    source: str
    tree: ast.expr
    names: frozenset[str]

    def evaluate(self, env: Mapping[str, Value]) -> Value:
        try:
            return _Interpreter(env).visit(self.tree)
        except FormulaError:
            raise
        except ZeroDivisionError:
            raise FormulaError("Division by zero.") from None
        except OverflowError:
            raise FormulaError("The result is too large.") from None
        except (TypeError, ValueError) as error:
            raise FormulaError(f"Cannot evaluate: {error}.") from None
        except RecursionError:
            raise FormulaError("The formula is nested too deeply.") from None


def parse_formula(source: str) -> Formula:
    """Parses and checks a formula; raises FormulaError with a message fit for the admin form."""
    if not isinstance(source, str):
        raise FormulaError("A formula must be text.")
    return _parse_cached(source.strip())


@lru_cache(maxsize=4096)
def _parse_cached(source: str) -> Formula:
    if not source:
        raise FormulaError("The formula is empty.")
    if len(source) > MAX_LENGTH:
        raise FormulaError(f"The formula is too long ({len(source)} characters; at most {MAX_LENGTH}).")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        raise FormulaError(f"Syntax error: {error.msg}.") from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("The formula is nested too deeply.") from None
    names: set[str] = set()
    _Checker(names).check(tree.body, depth=1)
    return Formula(source=source, tree=tree.body, names=frozenset(names))


def evaluate(source: str, env: Mapping[str, Value]) -> Value:
    return parse_formula(source).evaluate(env)


def evaluate_number(source: str, env: Mapping[str, Value], *, what: str = "The formula") -> float:
    value = evaluate(source, env)
    if isinstance(value, bool) or not isinstance(value, float | int):
        raise FormulaError(f"{what} must give a number, not {_describe(value)}.")
    return float(value)


def evaluate_bool(source: str, env: Mapping[str, Value], *, what: str = "The condition") -> bool:
    value = evaluate(source, env)
    if not isinstance(value, bool):
        raise FormulaError(f"{what} must be true or false, not {_describe(value)}.")
    return value


def evaluate_text(source: str, env: Mapping[str, Value], *, what: str = "The formula") -> str:
    value = evaluate(source, env)
    if not isinstance(value, str):
        raise FormulaError(
            f'{what} must give text (write a literal in quotes, e.g. "steel"), not {_describe(value)}.'
        )
    return value


def _describe(value: Value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    return "a number"


class _Checker:
    """Walks the AST once at parse time: only whitelisted nodes, bounded depth, size and literals."""

    def __init__(self, names: set[str]):
        self.names = names
        self.nodes = 0

    def check(self, node: ast.AST, depth: int) -> None:
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise FormulaError(f"The formula is nested too deeply (more than {MAX_DEPTH} levels).")
        if self.nodes > MAX_NODES:
            raise FormulaError(f"The formula is too complex (more than {MAX_NODES} parts).")
        match node:
            case ast.Constant(value=value):
                if isinstance(value, bool) or value is None:
                    if value is None:
                        raise FormulaError("None is not allowed in formulas.")
                elif isinstance(value, str):
                    if len(value) > MAX_STRING:
                        raise FormulaError(f"Text literals are limited to {MAX_STRING} characters.")
                elif isinstance(value, int | float):
                    if abs(value) > MAX_MAGNITUDE or not math.isfinite(value):
                        raise FormulaError("A number in the formula is too large.")
                else:
                    raise FormulaError("Only numbers, text and true/false are allowed as literals.")
            case ast.Name(id=name):
                if name.startswith("_"):
                    raise FormulaError(f"The name {name!r} is not allowed (names may not start with '_').")
                if name in FUNCTIONS:
                    raise FormulaError(f"{name} is a function; call it like {name}(…).")
                self.names.add(name)
            case ast.BinOp(left=left, op=op, right=right):
                if type(op) not in _BINARY:
                    raise FormulaError("Only + - * / // % ** are allowed as arithmetic operators.")
                self.check(left, depth + 1)
                self.check(right, depth + 1)
            case ast.UnaryOp(op=op, operand=operand):
                if not isinstance(op, ast.USub | ast.UAdd | ast.Not):
                    raise FormulaError("Only -, + and not are allowed before a value.")
                self.check(operand, depth + 1)
            case ast.BoolOp(values=values):
                for value in values:
                    self.check(value, depth + 1)
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                if any(type(op) not in _COMPARE for op in ops):
                    raise FormulaError("Only == != < <= > >= are allowed as comparisons.")
                self.check(left, depth + 1)
                for comparator in comparators:
                    self.check(comparator, depth + 1)
            case ast.IfExp(test=test, body=body, orelse=orelse):
                for part in (test, body, orelse):
                    self.check(part, depth + 1)
            case ast.Call(func=func, args=args, keywords=keywords):
                if isinstance(func, ast.Attribute):
                    raise FormulaError("Attribute access (a.b) is not allowed in formulas.")
                if not isinstance(func, ast.Name):
                    raise FormulaError("Only the functions " + ", ".join(FUNCTIONS) + " can be called.")
                if func.id not in FUNCTIONS:
                    raise FormulaError(
                        f"Calls to {func.id} are not allowed; use one of " + ", ".join(FUNCTIONS) + "."
                    )
                if keywords or any(isinstance(arg, ast.Starred) for arg in args):
                    raise FormulaError(f"{func.id}() takes plain positional arguments only.")
                _, low, high, _ = FUNCTIONS[func.id]
                if not low <= len(args) <= high:
                    raise FormulaError(f"{func.id}() takes {low}–{high} arguments.")
                for arg in args:
                    self.check(arg, depth + 1)
            case ast.Attribute():
                raise FormulaError("Attribute access (a.b) is not allowed in formulas.")
            case ast.Subscript():
                raise FormulaError("Indexing (a[b]) is not allowed in formulas.")
            case _:
                raise FormulaError(f"{type(node).__name__} expressions are not allowed in formulas.")


class _Interpreter:
    def __init__(self, env: Mapping[str, Value]):
        self.env = env

    def visit(self, node: ast.expr) -> Value:
        match node:
            case ast.Constant(value=value):
                if isinstance(value, bool | str):
                    return value
                return float(value)
            case ast.Name(id=name):
                try:
                    value = self.env[name]
                except KeyError:
                    raise FormulaError(f"Unknown name {name!r}.") from None
                return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
            case ast.BinOp(left=left, op=op, right=right):
                a, b = self._number(self.visit(left)), self._number(self.visit(right))
                if isinstance(op, ast.Pow) and (abs(b) > MAX_EXPONENT or (a < 0 and b != int(b))):
                    raise FormulaError(
                        f"Exponents are limited to ±{MAX_EXPONENT} (and whole for negative bases)."
                    )
                return self._finite(_BINARY[type(op)](a, b), _SYMBOL[type(op)])
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return not self._bool(self.visit(operand))
            case ast.UnaryOp(op=op, operand=operand):
                value = self._number(self.visit(operand))
                return -value if isinstance(op, ast.USub) else value
            case ast.BoolOp(op=op, values=values):
                if isinstance(op, ast.And):
                    return all(self._bool(self.visit(v)) for v in values)
                return any(self._bool(self.visit(v)) for v in values)
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                current = self.visit(left)
                for op, comparator in zip(ops, comparators, strict=True):
                    other = self.visit(comparator)
                    self._comparable(current, other, op)
                    if not _COMPARE[type(op)](current, other):
                        return False
                    current = other
                return True
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return self.visit(body) if self._bool(self.visit(test)) else self.visit(orelse)
            case ast.Call(func=ast.Name(id=name), args=args):
                function, _, _, numbers_only = FUNCTIONS[name]
                values = [self.visit(arg) for arg in args]
                if numbers_only:
                    values = [self._number(v) for v in values]
                return self._finite(function(*values), name)
        raise FormulaError(
            f"{type(node).__name__} expressions are not allowed in formulas."
        )  # pragma: no cover

    @staticmethod
    def _number(value: Value) -> float:
        if isinstance(value, bool) or not isinstance(value, float):
            raise FormulaError(f"Arithmetic needs numbers, not {_describe(value)}.")
        return value

    @staticmethod
    def _bool(value: Value) -> bool:
        if not isinstance(value, bool):
            raise FormulaError(f"Expected true/false (a comparison), not {_describe(value)}.")
        return value

    @staticmethod
    def _comparable(a: Value, b: Value, op: ast.cmpop) -> None:
        if isinstance(a, str) != isinstance(b, str) or isinstance(a, bool) != isinstance(b, bool):
            raise FormulaError(f"Cannot compare {_describe(a)} with {_describe(b)}.")
        if isinstance(a, str | bool) and not isinstance(op, ast.Eq | ast.NotEq):
            raise FormulaError("Text and true/false values can only be compared with == and !=.")

    @staticmethod
    def _finite(value: float, what: str) -> float:
        value = float(value)
        if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
            raise FormulaError(f"The result of {what} is too large.")
        return value
