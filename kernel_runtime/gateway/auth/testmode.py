"""Test mode: `test-credentials` accepted without an identity provider, for local development.

Only when the gateway server was started with test mode on (`--gateway-test-mode`) and the
gateway allows it (`allow-test-mode`, default true). The principal is derived from the test
credentials as LangStream derives it, so the same test credentials always map to the same
user: `subject`/`name`/`login` = sha256 hex of the credentials, `email` = `<sha>@locahost`
(LangStream's spelling), `id` = Java's String.hashCode of the sha.
"""

from __future__ import annotations

import hashlib

from kernel_runtime.gateway.auth.base import AuthFailed


def java_string_hash(text: str) -> int:
    units = text.encode("utf-16-be")
    value = 0
    for i in range(0, len(units), 2):
        value = (31 * value + int.from_bytes(units[i : i + 2], "big")) & 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def principal_for_test_credentials(credentials: str | None) -> dict[str, str]:
    if not credentials:
        raise AuthFailed("test-credentials are empty")
    subject = hashlib.sha256(credentials.encode()).hexdigest()
    return {
        "subject": subject,
        "email": f"{subject}@locahost",
        "name": subject,
        "login": subject,
        "id": str(java_string_hash(subject)),
    }
