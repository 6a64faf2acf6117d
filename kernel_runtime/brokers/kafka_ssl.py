"""An `ssl.SSLContext` from Kafka's Java SSL properties (trust store, key store, host check).

Stores may be PEM (files, or inline `ssl.truststore.certificates`, `ssl.keystore.key` and
`ssl.keystore.certificate.chain`) or PKCS12. Java KeyStore (JKS) files cannot be read from
Python; the error says how to convert them. With no trust store, the system's CAs are trusted.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kernel_runtime.brokers.kafka_config import KafkaConfigError

SSL_PROPERTIES = frozenset(
    {
        "ssl.truststore.type",
        "ssl.truststore.location",
        "ssl.truststore.password",
        "ssl.truststore.certificates",
        "ssl.keystore.type",
        "ssl.keystore.location",
        "ssl.keystore.password",
        "ssl.keystore.key",
        "ssl.keystore.certificate.chain",
        "ssl.key.password",
        "ssl.endpoint.identification.algorithm",
    }
)
_JKS_MAGIC = b"\xfe\xed\xfe\xed"


def _get(properties: Mapping[str, Any], name: str) -> str | None:
    value = properties.get(name)
    return None if value is None or str(value) == "" else str(value)


def _store_kind(path: Path, declared: str | None, name: str) -> str:
    kind = (declared or "").strip().upper()
    try:
        head = path.read_bytes()[:64]
    except OSError as error:
        raise KafkaConfigError(f"{name}: cannot read {path}: {error.strerror}") from None
    if not kind:
        kind = "PEM" if b"-----BEGIN" in head else "JKS" if head[:4] == _JKS_MAGIC else "PKCS12"
    if kind == "JKS":
        raise KafkaConfigError(
            f"{name}: {path} is a Java KeyStore (JKS), which Python cannot read; convert it with "
            f"`keytool -importkeystore -srckeystore {path} -destkeystore store.p12 "
            "-deststoretype PKCS12` and set its type to PKCS12, or use PEM"
        )
    if kind not in ("PEM", "PKCS12"):
        raise KafkaConfigError(f"{name}: store type {kind!r} is not one of PEM, PKCS12, JKS")
    return kind


def _pkcs12(path: Path, password: str | None, name: str) -> tuple[Any, Any, list[Any]]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        return pkcs12.load_key_and_certificates(
            path.read_bytes(), password.encode() if password else None
        )
    except ValueError as error:
        raise KafkaConfigError(
            f"{name}: cannot open PKCS12 store {path} ({error}); check its password"
        ) from None


def _pem(certificates: list[Any]) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    return "".join(cert.public_bytes(Encoding.PEM).decode() for cert in certificates if cert)


def _trust(context: ssl.SSLContext, properties: Mapping[str, Any], where: str) -> None:
    inline = _get(properties, "ssl.truststore.certificates")
    location = _get(properties, "ssl.truststore.location")
    name = f"{where}.ssl.truststore.location"
    if inline:
        cadata = inline
    elif location:
        path = Path(location)
        kind = _store_kind(path, _get(properties, "ssl.truststore.type"), name)
        if kind == "PEM":
            cadata = path.read_text()
        else:
            key, cert, extra = _pkcs12(path, _get(properties, "ssl.truststore.password"), name)
            cadata = _pem([cert, *extra])
    else:
        context.load_default_certs(ssl.Purpose.SERVER_AUTH)
        return
    try:
        context.load_verify_locations(cadata=cadata)
    except ssl.SSLError as error:
        raise KafkaConfigError(f"{name}: no usable CA certificate ({error.reason})") from None


def _load_chain(context: ssl.SSLContext, pem: str, password: str | None, name: str) -> None:
    """`load_cert_chain` reads files only: write the PEM to a private file, load, delete."""
    handle, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(pem)
        context.load_cert_chain(path, password=password)
    except ssl.SSLError as error:
        raise KafkaConfigError(
            f"{name}: cannot load the client key and certificate ({error.reason}); check "
            "ssl.key.password"
        ) from None
    finally:
        os.unlink(path)


def _identity(context: ssl.SSLContext, properties: Mapping[str, Any], where: str) -> None:
    key = _get(properties, "ssl.keystore.key")
    chain = _get(properties, "ssl.keystore.certificate.chain")
    location = _get(properties, "ssl.keystore.location")
    password = _get(properties, "ssl.key.password")
    name = f"{where}.ssl.keystore.location"
    if key and chain:
        _load_chain(context, key + "\n" + chain, password, f"{where}.ssl.keystore.key")
    elif location:
        path = Path(location)
        if _store_kind(path, _get(properties, "ssl.keystore.type"), name) == "PEM":
            _load_chain(context, path.read_text(), password, name)
            return
        store_password = _get(properties, "ssl.keystore.password")
        private_key, cert, extra = _pkcs12(path, store_password, name)
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
        )

        key_pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        _load_chain(context, key_pem.decode() + _pem([cert, *extra]), None, name)
    elif key or chain:
        raise KafkaConfigError(
            f"{where}: set both ssl.keystore.key and ssl.keystore.certificate.chain, or neither"
        )


def ssl_context(properties: Mapping[str, Any], where: str) -> ssl.SSLContext:
    """Verifies the broker's certificate (and host name unless the algorithm is set empty)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    _trust(context, properties, where)
    _identity(context, properties, where)
    algorithm = properties.get("ssl.endpoint.identification.algorithm", "https")
    context.check_hostname = bool(str(algorithm or "").strip())
    return context
