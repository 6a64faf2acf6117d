"""Authentication providers against stand-ins served on loopback (see identity.py)."""

from __future__ import annotations

import base64
import hashlib

import jwt
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from kernel_runtime.gateway import AuthSettings
from tests.gateway.conftest import curl
from tests.gateway.identity import (
    CLIENT_ID,
    GITHUB_CLIENT_ID,
    IdentityProviders,
    new_rsa_key,
    public_der_base64,
)

APP = "gateway-auth"
JWT_SECRET = b"a-secret-of-at-least-thirty-two-bytes!!"


@pytest.fixture
async def providers():
    providers = await IdentityProviders().start()
    yield providers
    await providers.stop()


@pytest.fixture
async def served(serve, providers, tmp_path):
    """The gateway-auth app with secrets pointing at the loopback stand-ins."""
    jwt_key = new_rsa_key()
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(
        f"""
secrets:
  - id: google
    data:
      client-id: "{CLIENT_ID}"
  - id: github
    data:
      client-id: "{GITHUB_CLIENT_ID}"
  - id: control-plane
    data:
      url: "{providers.url}"
  - id: jwt
    data:
      secret: "{base64.b64encode(JWT_SECRET).decode()}"
      public-key: "{public_der_base64(jwt_key)}"
"""
    )
    settings = AuthSettings(
        google_jwks_url=f"{providers.url}/oauth2/v3/certs",
        github_api_url=providers.url,
        jwks_min_refresh_seconds=0,
    )
    served = await serve(APP, secrets=secrets, pipeline=False, auth=settings, test_mode=True)
    served.jwt_key = jwt_key
    return served


async def produce(served, gateway: str, query: str = "") -> tuple[int, str]:
    result = await curl("-X", "POST", "-d", "hello", served.http("produce", gateway, query))
    return result.status, result.json()["reason"] if result.status != 200 else ""


async def test_google_id_token_is_verified_and_its_subject_becomes_a_header(served, providers):
    status, _ = await produce(served, "google", f"?credentials={providers.google_token()}")

    assert status == 200
    [record] = await served.runtime.collect("questions", count=1)
    assert record.header("langstream-client-user-id") == "110169484474386276334"
    assert record.header("langstream-client-email") == "alice@example.com"


@pytest.mark.parametrize(
    ("token_args", "reason"),
    [
        ({"expires_in": -3600}, "the token has expired"),
        ({"audience": "someone-else.apps.googleusercontent.com"}, "another audience"),
        ({"issuer": "https://evil.example.com"}, "issuer"),
        ({"key": "other"}, "signature verification failed"),
        ({"kid": "unknown-key"}, "signing key 'unknown-key' is not among the keys"),
    ],
)
async def test_google_refuses_bad_tokens(served, providers, token_args, reason):
    if token_args.get("key") == "other":
        token_args = {"key": new_rsa_key()}  # same kid, another key: a forged signature

    status, message = await produce(
        served, "google", f"?credentials={providers.google_token(**token_args)}"
    )

    assert status == 401
    assert reason in message
    assert await served.runtime.collect("questions", timeout=0.1) == []


async def test_google_refuses_missing_and_malformed_credentials(served):
    assert await produce(served, "google") == (401, "Credentials not provided.")
    assert await produce(served, "google", "?credentials=not-a-jwt") == (
        401,
        "Invalid credentials: not a JSON Web Token",
    )


async def test_google_keys_are_cached_and_refetched_when_they_rotate(served, providers):
    for _ in range(3):
        assert (await produce(served, "google", f"?credentials={providers.google_token()}"))[
            0
        ] == 200
    assert providers.jwks_fetches == 1

    providers.rotate()
    status, _ = await produce(served, "google", f"?credentials={providers.google_token()}")

    assert status == 200
    assert providers.jwks_fetches == 2


async def test_websocket_handshake_with_bad_credentials_is_401(served, providers):
    expired = providers.google_token(expires_in=-3600)

    with pytest.raises(InvalidStatus) as refused:
        async with connect(served.ws("consume", "google-consume", f"?credentials={expired}")):
            pass
    async with connect(
        served.ws("consume", "google-consume", f"?credentials={providers.google_token()}")
    ):
        pass

    assert refused.value.response.status_code == 401
    assert b"expired" in refused.value.response.body


async def test_test_credentials_only_where_test_mode_is_allowed(served):
    allowed = await produce(served, "test-mode", "?test-credentials=alice-secret")
    not_allowed = await produce(served, "google", "?test-credentials=alice-secret")
    both = await produce(served, "test-mode", "?test-credentials=a&credentials=b")

    assert allowed == (200, "")
    [record] = await served.runtime.collect("questions", count=1)
    expected = hashlib.sha256(b"alice-secret").hexdigest()
    assert record.header("langstream-client-user-id") == expected
    assert not_allowed[0] == 401 and "does not allow test mode" in not_allowed[1]
    assert both[0] == 400 and "cannot be used together" in both[1]


async def test_test_credentials_are_refused_when_the_server_is_not_in_test_mode(serve, tmp_path):
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(
        "secrets:\n  - id: google\n    data:\n      client-id: c\n"
        "  - id: github\n    data:\n      client-id: c\n"
        "  - id: control-plane\n    data:\n      url: http://127.0.0.1:9\n"
        "  - id: jwt\n    data:\n      secret: c2VjcmV0\n      public-key: x\n"
    )
    served = await serve(APP, secrets=secrets, pipeline=False)

    status, reason = await produce(served, "test-mode", "?test-credentials=alice-secret")

    assert status == 401
    assert "--gateway-test-mode" in reason


async def test_github_token_checked_against_the_user_api_and_client_id(served):
    good = await produce(served, "github", "?credentials=gho_good")
    other_app = await produce(served, "github", "?credentials=gho_other_app")
    bad = await produce(served, "github", "?credentials=gho_bad")

    assert good == (200, "")
    [record] = await served.runtime.collect("questions", count=1)
    assert record.header("langstream-client-user-id") == "octocat"
    assert other_app[0] == 401 and "Invalid client id" in other_app[1]
    assert bad == (401, "Invalid token: GitHub answered 401")


async def test_http_provider_calls_the_configured_endpoint(served, providers):
    good = await produce(served, "http", "?credentials=tenant-token")
    bad = await produce(served, "http", "?credentials=wrong")

    assert good == (200, "")
    assert bad == (401, "Http authentication failed: 401")
    assert providers.auth_requests[0]["Authorization"] == "Bearer tenant-token"


async def test_jwt_with_secret_key(served):
    token = jwt.encode({"sub": "service-account"}, JWT_SECRET, algorithm="HS256")
    forged = jwt.encode({"sub": "service-account"}, b"x" * 40, algorithm="HS256")
    expired = jwt.encode({"sub": "service-account", "exp": 1}, JWT_SECRET, algorithm="HS256")

    assert await produce(served, "jwt-secret", f"?credentials={token}") == (200, "")
    [record] = await served.runtime.collect("questions", count=1)
    assert record.header("langstream-client-user-id") == "service-account"
    status, reason = await produce(served, "jwt-secret", f"?credentials={forged}")
    assert status == 401 and "signature verification failed" in reason
    status, reason = await produce(served, "jwt-secret", f"?credentials={expired}")
    assert status == 401 and "expired" in reason


async def test_jwt_with_public_key_audience_and_auth_claim(served):
    key = served.jwt_key
    good = jwt.encode({"role": "admin", "aud": "ls-gateway"}, key, algorithm="RS256")
    other_audience = jwt.encode({"role": "admin", "aud": "elsewhere"}, key, algorithm="RS256")
    no_role = jwt.encode({"sub": "x", "aud": "ls-gateway"}, key, algorithm="RS256")

    assert await produce(served, "jwt-public", f"?credentials={good}") == (200, "")
    [record] = await served.runtime.collect("questions", count=1)
    assert record.header("role") == "admin"
    assert (await produce(served, "jwt-public", f"?credentials={other_audience}"))[0] == 401
    assert await produce(served, "jwt-public", f"?credentials={no_role}") == (
        401,
        "Token was valid, however no principal found.",
    )


def test_base64_key_text_that_looks_like_an_overlong_path_is_read_as_base64(tmp_path):
    from kernel_runtime.gateway.auth.jwt_token import read_key_material

    # DER keys in base64 hold '/'; a part between two of them may exceed a file name's 255
    # bytes, which the file check must take as "not a file", not as an error (seen in CI)
    material = bytes(range(256)) * 2
    text = "A" * 404 + "/AAA"  # valid base64; its first "path part" is 404 characters
    assert read_key_material(text, "publicKey") == base64.b64decode(text)
    key_file = tmp_path / "key.der"
    key_file.write_bytes(material)
    assert read_key_material(str(key_file), "publicKey") == material
