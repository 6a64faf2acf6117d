"""Recursive-descent parser with EL's precedence, lowest first:

    ?:  ||/or  &&/and  ==/!=/eq/ne  </>/<=/>=/lt/gt/le/ge  +=  +/-  * / div % mod
    unary -/!/not/empty  .name [index]  literals, fn:calls, (...), [lists], {maps/sets}

Lambdas, assignments, `;` and method calls are rejected with an explanation: LangStream
disables method invocation, and the others are of no use in a `when` or a computed field.
"""

from __future__ import annotations

from kernel_runtime.expressions import nodes as n
from kernel_runtime.expressions.errors import ExpressionError
from kernel_runtime.expressions.tokens import Token, tokenize

_EQUALITY = {"==": "==", "!=": "!=", "eq": "==", "ne": "!="}
_RELATIONAL = {
    "<": "<",
    ">": ">",
    "<=": "<=",
    ">=": ">=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
}
_ADDITIVE = {"+": "+", "-": "-"}
_MULTIPLICATIVE = {"*": "*", "/": "/", "div": "/", "%": "%", "mod": "%"}
_LITERALS = {"true": True, "false": False, "null": None}
_METHOD_HINTS = {
    "toUpperCase": "fn:uppercase(x)",
    "toLowerCase": "fn:lowercase(x)",
    "contains": "fn:contains(x, y)",
    "trim": "fn:trim(x)",
    "length": "fn:length(x)",
    "replace": "fn:replace(x, regex, replacement)",
    "replaceAll": "fn:replace(x, regex, replacement)",
    "split": "fn:split(x, separator)",
    "toString": "fn:str(x)",
}


def unwrap(source: str) -> tuple[int, int]:
    """Bounds of the expression inside an optional `${...}` wrapper."""
    stripped = source.strip()
    start = source.index(stripped) if stripped else 0
    if stripped.startswith("${") and stripped.endswith("}"):
        return start + 2, start + len(stripped) - 1
    return start, start + len(stripped)


def parse(source: str) -> n.Node:
    """Parse `source` (bare, or wrapped in `${...}`) into an AST."""
    start, end = unwrap(source)
    if start >= end:
        raise ExpressionError(source, start, "the expression is empty")
    return _Parser(source, tokenize(source, start, end)).parse()


class _Parser:
    def __init__(self, source: str, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.i = 0

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at(self, *texts: str) -> bool:
        return self.token.kind in ("op", "keyword") and self.token.text in texts

    def error(self, reason: str, token: Token | None = None) -> ExpressionError:
        return ExpressionError(self.source, (token or self.token).pos, reason)

    def found(self) -> str:
        token = self.token
        return "the end of the expression" if token.kind == "eof" else repr(token.text)

    def expect(self, text: str, context: str) -> Token:
        if not self.at(text):
            raise self.error(f"expected {text!r} {context}, found {self.found()}")
        return self.advance()

    # -- grammar ---------------------------------------------------------------------------------

    def parse(self) -> n.Node:
        node = self.ternary()
        if self.token.kind != "eof":
            raise self.error(self._unexpected_tail())
        return node

    def _unexpected_tail(self) -> str:
        text = self.token.text
        if text == "=":
            return "assignment '=' is not supported; use '==' to compare"
        if text == ";":
            return "';' (several expressions) is not supported"
        if text == "->":
            return "lambda expressions are not supported"
        if text == "instanceof":
            return "'instanceof' is not supported"
        if text == "}":
            return "unexpected '}' (only one ${...} expression is allowed)"
        return f"expected an operator or the end of the expression, found {self.found()}"

    def ternary(self) -> n.Node:
        condition = self.binary(0)
        if not self.at("?"):
            return condition
        question = self.advance()
        then = self.ternary()
        self.expect(":", "in a conditional 'a ? b : c'")
        otherwise = self.ternary()
        return n.Ternary(question.pos, condition, then, otherwise)

    _LEVELS: tuple[dict[str, str], ...] = (
        {"||": "||", "or": "||"},
        {"&&": "&&", "and": "&&"},
        _EQUALITY,
        _RELATIONAL,
        {"+=": "+="},
        _ADDITIVE,
        _MULTIPLICATIVE,
    )

    def binary(self, level: int) -> n.Node:
        if level == len(self._LEVELS):
            return self.unary()
        ops = self._LEVELS[level]
        left = self.binary(level + 1)
        while self.token.kind in ("op", "keyword") and self.token.text in ops:
            op = self.advance()
            if self.token.kind == "eof":
                raise self.error(
                    f"expected a value after {op.text!r}, found the end of the expression"
                )
            right = self.binary(level + 1)
            left = n.Binary(op.pos, ops[op.text], left, right)
        return left

    def unary(self) -> n.Node:
        if self.at("-", "!", "not", "empty"):
            op = self.advance()
            operand = self.unary()
            symbol = {"not": "!"}.get(op.text, op.text)
            return n.Unary(op.pos, symbol, operand)
        return self.postfix(self.primary())

    def postfix(self, node: n.Node) -> n.Node:
        while True:
            if self.at("."):
                dot = self.advance()
                name = self.token
                if name.kind not in ("ident", "keyword"):
                    raise self.error(f"expected a property name after '.', found {self.found()}")
                self.advance()
                if self.at("("):
                    hint = _METHOD_HINTS.get(name.text)
                    use = f"; use {hint} instead" if hint else "; use an fn: function instead"
                    raise self.error(
                        f"method calls such as .{name.text}(...) are disabled in LangStream "
                        f"expressions{use}",
                        name,
                    )
                node = n.Property(dot.pos, node, name.text)
            elif self.at("["):
                bracket = self.advance()
                index = self.ternary()
                self.expect("]", "to close '['")
                node = n.Index(bracket.pos, node, index)
            else:
                return node

    def primary(self) -> n.Node:
        token = self.token
        if token.kind in ("number", "string"):
            self.advance()
            return n.Literal(token.pos, token.value)
        if token.kind == "keyword" and token.text in _LITERALS:
            self.advance()
            return n.Literal(token.pos, _LITERALS[token.text])
        if token.kind == "ident":
            return self.identifier_or_call()
        if self.at("("):
            self.advance()
            node = self.ternary()
            self.expect(")", "to close '('")
            return node
        if self.at("["):
            return self.list_literal()
        if self.at("{"):
            return self.brace_literal()
        if token.kind == "eof":
            raise self.error("expected a value, found the end of the expression")
        raise self.error(f"expected a value, found {self.found()}")

    def identifier_or_call(self) -> n.Node:
        token = self.advance()
        if self.at(":") and self.peek().kind == "ident" and self.peek(2).text == "(":
            if token.text != "fn":
                raise self.error(
                    f"unknown function prefix {token.text!r}; functions are called as fn:name(...)",
                    token,
                )
            self.advance()
            name = self.advance().text
            self.advance()
            return n.Call(token.pos, name, self.arguments(")"))
        if self.at("("):
            raise self.error(
                f"unknown function {token.text!r}; functions are called as fn:{token.text}(...)",
                token,
            )
        return n.Identifier(token.pos, token.text)

    def arguments(self, closing: str) -> tuple[n.Node, ...]:
        args: list[n.Node] = []
        if self.at(closing):
            self.advance()
            return ()
        while True:
            args.append(self.ternary())
            if self.at(","):
                self.advance()
                continue
            self.expect(closing, "or ',' in the list of arguments")
            return tuple(args)

    def list_literal(self) -> n.Node:
        bracket = self.advance()
        return n.ListLiteral(bracket.pos, self.arguments("]"))

    def brace_literal(self) -> n.Node:
        brace = self.advance()
        if self.at("}"):
            self.advance()
            return n.MapLiteral(brace.pos, ())
        first = self.ternary()
        if not self.at(":"):
            rest = (first,)
            if self.at(","):
                self.advance()
                rest += self.arguments("}")
            else:
                self.expect("}", "to close '{'")
            return n.SetLiteral(brace.pos, rest)
        entries: list[tuple[n.Node, n.Node]] = []
        key = first
        while True:
            self.expect(":", "between a map key and its value")
            entries.append((key, self.ternary()))
            if self.at(","):
                self.advance()
                key = self.ternary()
                continue
            self.expect("}", "or ',' in a map literal")
            return n.MapLiteral(brace.pos, tuple(entries))
