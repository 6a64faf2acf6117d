"""Header mappings of a gateway: headers to set on produced records, filters on consumed ones.

Each `KeyValueComparison` takes its value from the mapping (`value`), from a request parameter
(`value-from-parameters`) or from the authenticated principal (`value-from-authentication`,
e.g. `subject` for Google, `login` for GitHub). Producing, an unresolved value is an error
(the record would lack the header consumers filter on); consuming, a record matches only when
every mapped header is present with exactly the resolved value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kernel_runtime.gateway.errors import GatewayError
from kernel_runtime.gateway.messages import as_text
from kernel_runtime.gateway.params import GatewayRequest
from kernel_runtime.manifest import KeyValueComparison
from kernel_runtime.records import StreamRecord

RecordFilter = Callable[[StreamRecord], bool]


def _resolve(mapping: KeyValueComparison, request: GatewayRequest) -> str | None:
    if mapping.value is not None:
        return mapping.value
    if mapping.value_from_parameters is not None:
        value = request.parameters.get(mapping.value_from_parameters)
        if value is not None:
            return value
    if mapping.value_from_authentication is not None:
        return request.principal.get(mapping.value_from_authentication)
    return None


def common_headers(
    mappings: Sequence[KeyValueComparison] | None, request: GatewayRequest
) -> list[tuple[str, str]]:
    """The headers every record produced through this request carries."""
    headers: list[tuple[str, str]] = []
    for mapping in mappings or ():
        key = mapping.effective_key
        if not key:
            raise GatewayError(request.error("Header key cannot be empty"))
        value = _resolve(mapping, request)
        if value is None:
            if mapping.value_from_parameters is not None:
                hint = f"pass param:{mapping.value_from_parameters}=<value>"
            elif mapping.value_from_authentication is not None:
                hint = (
                    f"the authentication gave no {mapping.value_from_authentication!r} "
                    f"(it gave: {', '.join(sorted(request.principal)) or 'nothing'})"
                )
            else:
                hint = "set its value in gateways.yaml"
            raise GatewayError(request.error(f"header {key} cannot be empty: {hint}"))
        headers.append((key, value))
    return headers


def header_filter(
    mappings: Sequence[KeyValueComparison] | None, request: GatewayRequest
) -> RecordFilter | None:
    """A predicate on records, or None when the gateway filters nothing."""
    if not mappings:
        return None
    expected = [(m.effective_key, _resolve(m, request)) for m in mappings]
    if any(value is None for _, value in expected):
        return lambda record: False

    def matches(record: StreamRecord) -> bool:
        for key, value in expected:
            actual = record.header(key)
            if actual is None or as_text(actual) != value:
                return False
        return True

    return matches


def all_of(*filters: RecordFilter | None) -> RecordFilter | None:
    active = [f for f in filters if f is not None]
    if not active:
        return None
    if len(active) == 1:
        return active[0]
    return lambda record: all(f(record) for f in active)
