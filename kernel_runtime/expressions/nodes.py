"""AST of an expression: plain data, compiled to closures by `evaluator`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Node:
    pos: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Any


@dataclass(frozen=True, slots=True)
class Identifier(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Property(Node):
    """`base.name`"""

    base: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index(Node):
    """`base[index]`"""

    base: Node
    index: Node


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "-", "!", "empty"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # "==" "!=" "<" ">" "<=" ">=" "&&" "||" "+" "-" "*" "/" "%" "+="
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Ternary(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """`fn:name(args)`"""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class SetLiteral(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class MapLiteral(Node):
    entries: tuple[tuple[Node, Node], ...]
