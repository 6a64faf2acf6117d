"""Compile an AST once into nested closures; evaluating one is a chain of Python calls.

A compiled expression is `Callable[[Mapping[str, Any]], Any]` taking the variables (value, key,
properties...). Unknown functions and wrong argument counts fail here, at compile time;
bad conversions fail at evaluation with an `EvaluationError` carrying the node's position.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from kernel_runtime.expressions import coercion as c
from kernel_runtime.expressions import nodes as n
from kernel_runtime.expressions.errors import (
    CoercionError,
    EvaluationError,
    ExpressionError,
    PropertyNotFoundError,
)
from kernel_runtime.expressions.functions import FUNCTIONS
from kernel_runtime.expressions.parser import parse

Scope = Mapping[str, Any]
Compiled = Callable[[Scope], Any]


@lru_cache(maxsize=2048)
def compile_source(source: str) -> Compiled:
    """Parse and compile `source`; cached, since compiled expressions are immutable."""
    return _Compiler(source).compile(parse(source))


def condition_value(value: Any, source: str) -> bool:
    """EL truthiness of a `when` result: null is false, strings must say "true"."""
    try:
        return c.to_boolean(value)
    except CoercionError:
        raise EvaluationError(
            source, 0, f"a condition must give a boolean, this one gave {c.describe(value)}"
        ) from None


def test_condition(compiled: Compiled, scope: Scope, source: str) -> bool:
    """A `when`: false when a property is missing (as LangStream's JstlPredicate)."""
    try:
        return condition_value(compiled(scope), source)
    except PropertyNotFoundError:
        return False


def _resolve_scalar_property(base: Any, name: str) -> str:
    """Why `base.name` does not resolve, with LangStream's JSON hint for string values."""
    kind = type(base).__name__
    if isinstance(base, (str, bytes, bytearray)):
        text = bytes(base).decode("utf-8", "replace") if not isinstance(base, str) else base
        try:
            parsed = json.loads(text)
        except ValueError as error:
            return f"cannot read {name!r} of a {kind} that is not JSON ({error})"
        return (
            f"cannot read {name!r} of a {kind} holding JSON {type(parsed).__name__}, not an object"
        )
    return f"cannot read property {name!r} of a {kind} value"


def _list_index(base: Any, index: Any) -> Any:
    if isinstance(index, bool):
        position = int(index)
    elif isinstance(index, (int, float)):
        position = int(index)
    elif isinstance(index, str):
        position = c.parse_long(index)
    else:
        raise CoercionError(f"cannot use {c.describe(index)} as a list index")
    return base[position] if 0 <= position < len(base) else None


class _Compiler:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: n.Node, reason: str) -> ExpressionError:
        return ExpressionError(self.source, node.pos, reason)

    def guard(self, node: n.Node, fn: Compiled) -> Compiled:
        """Turn conversion errors inside `fn` into `EvaluationError`s pointing at `node`."""
        source = self.source

        def guarded(scope: Scope) -> Any:
            try:
                return fn(scope)
            except ExpressionError:
                raise
            except (CoercionError, ValueError, TypeError, ArithmeticError, KeyError) as error:
                raise EvaluationError(
                    source, node.pos, str(error) or type(error).__name__
                ) from error

        return guarded

    def compile(self, node: n.Node) -> Compiled:
        method = getattr(self, f"_{type(node).__name__}")
        return method(node)

    # -- leaves ------------------------------------------------------------------------------------

    def _Literal(self, node: n.Literal) -> Compiled:
        value = node.value
        return lambda scope: value

    def _Identifier(self, node: n.Identifier) -> Compiled:
        name, source = node.name, self.source

        def identifier(scope: Scope) -> Any:
            try:
                return scope[name]
            except KeyError:
                known = ", ".join(sorted(scope))
                raise PropertyNotFoundError(
                    source, node.pos, f"unknown variable {name!r} (known: {known})"
                ) from None

        return identifier

    # -- access ------------------------------------------------------------------------------------

    def _Property(self, node: n.Property) -> Compiled:
        base_fn, name, source = self.compile(node.base), node.name, self.source

        def prop(scope: Scope) -> Any:
            base = base_fn(scope)
            if base is None:
                return None
            if isinstance(base, dict):
                return base.get(name)
            if isinstance(base, (list, tuple)):
                try:
                    return _list_index(base, name)
                except CoercionError:
                    pass
            raise PropertyNotFoundError(source, node.pos, _resolve_scalar_property(base, name))

        return prop

    def _Index(self, node: n.Index) -> Compiled:
        base_fn, index_fn, source = self.compile(node.base), self.compile(node.index), self.source

        def index(scope: Scope) -> Any:
            base = base_fn(scope)
            if base is None:
                return None
            key = index_fn(scope)
            if key is None:
                return None
            if isinstance(base, dict):
                return base.get(key)
            if isinstance(base, (list, tuple, bytes, bytearray)):
                return _list_index(base, key)
            raise PropertyNotFoundError(source, node.pos, _resolve_scalar_property(base, str(key)))

        return self.guard(node, index)

    # -- operators ---------------------------------------------------------------------------------

    def _Unary(self, node: n.Unary) -> Compiled:
        operand = self.compile(node.operand)
        if node.op == "!":
            return self.guard(node, lambda scope: not c.to_boolean(operand(scope)))
        if node.op == "empty":
            return lambda scope: c.is_empty(operand(scope))
        return self.guard(node, lambda scope: c.negate(operand(scope)))

    def _Binary(self, node: n.Binary) -> Compiled:
        left, right, op = self.compile(node.left), self.compile(node.right), node.op
        if op == "&&":
            fn: Compiled = lambda s: c.to_boolean(left(s)) and c.to_boolean(right(s))  # noqa: E731
        elif op == "||":
            fn = lambda s: c.to_boolean(left(s)) or c.to_boolean(right(s))  # noqa: E731
        elif op == "==":
            fn = lambda s: c.equals(left(s), right(s))  # noqa: E731
        elif op == "!=":
            fn = lambda s: not c.equals(left(s), right(s))  # noqa: E731
        elif op in ("<", ">", "<=", ">="):
            fn = self._relational(op, left, right)
        elif op == "+=":
            fn = lambda s: c.concat(left(s), right(s))  # noqa: E731
        else:
            fn = lambda s: c.arithmetic(op, left(s), right(s))  # noqa: E731
        return self.guard(node, fn)

    @staticmethod
    def _relational(op: str, left: Compiled, right: Compiled) -> Compiled:
        test = {
            "<": lambda r: r < 0,
            ">": lambda r: r > 0,
            "<=": lambda r: r <= 0,
            ">=": lambda r: r >= 0,
        }[op]

        def relational(scope: Scope) -> bool:
            a = left(scope)
            if a is None:
                return False
            b = right(scope)
            if b is None:
                return False
            return test(c.compare(a, b))

        return relational

    def _Ternary(self, node: n.Ternary) -> Compiled:
        condition, then, otherwise = (
            self.compile(node.condition),
            self.compile(node.then),
            self.compile(node.otherwise),
        )
        test = self.guard(node, lambda scope: c.to_boolean(condition(scope)))
        return lambda scope: then(scope) if test(scope) else otherwise(scope)

    # -- literals ----------------------------------------------------------------------------------

    def _ListLiteral(self, node: n.ListLiteral) -> Compiled:
        items = [self.compile(item) for item in node.items]
        return lambda scope: [item(scope) for item in items]

    def _SetLiteral(self, node: n.SetLiteral) -> Compiled:
        items = [self.compile(item) for item in node.items]
        return self.guard(node, lambda scope: {item(scope) for item in items})

    def _MapLiteral(self, node: n.MapLiteral) -> Compiled:
        entries = [(self.compile(k), self.compile(v)) for k, v in node.entries]
        return self.guard(node, lambda scope: {k(scope): v(scope) for k, v in entries})

    # -- functions ---------------------------------------------------------------------------------

    def _Call(self, node: n.Call) -> Compiled:
        function = FUNCTIONS.get(node.name)
        if function is None:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.fail(node, f"unknown function fn:{node.name}; available: {known}")
        count = len(node.args)
        if count != function.arity and not (function.varargs and count >= function.arity):
            raise self.fail(
                node,
                f"fn:{node.name} takes {function.describe_arity()}, {count} given",
            )
        args = [self.compile(arg) for arg in node.args]
        if node.name == "filter":
            return self._filter(node, args)
        impl = function.impl
        return self.guard(node, lambda scope: impl(*[arg(scope) for arg in args]))

    def _filter(self, node: n.Call, args: list[Compiled]) -> Compiled:
        """`fn:filter(list, 'condition')`: each item is `record` in the condition's scope."""
        predicate_arg = node.args[1]
        if isinstance(predicate_arg, n.Literal) and isinstance(predicate_arg.value, str):
            try:
                compile_source(predicate_arg.value)
            except ExpressionError as error:
                raise self.fail(
                    predicate_arg, f"in the fn:filter condition: {error.reason}"
                ) from error
        items_fn, predicate_fn = args

        def filter_items(scope: Scope) -> list[Any] | None:
            items = items_fn(scope)
            if items is None:
                return None
            if not isinstance(items, (list, tuple, set, frozenset)):
                raise CoercionError(f"fn:filter cannot filter {c.describe(items)}")
            predicate_source = c.to_string(predicate_fn(scope))
            predicate = compile_source(predicate_source)
            inner = dict(scope)
            result = []
            for item in items:
                if item is None:
                    continue
                inner["record"] = item
                if test_condition(predicate, inner, predicate_source):
                    result.append(item)
            return result

        return self.guard(node, filter_items)
