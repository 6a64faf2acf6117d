"""Throw-away certificates for TLS tests: a CA, and a server certificate for 127.0.0.1."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


@dataclass
class Certificates:
    ca_pem: Path
    server_pem: Path  # certificate chain
    server_key: Path
    client_p12: Path  # key + certificate, password "secret"
    trust_p12: Path  # the CA only, password "secret"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, issuer, public_key, signing_key, *, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(signing_key, hashes.SHA256())


def make_certificates(folder: Path) -> Certificates:
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("test-ca", "test-ca", ca_key.public_key(), ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate("127.0.0.1", "test-ca", server_key.public_key(), ca_key, ca=False)
    pem = serialization.Encoding.PEM
    paths = Certificates(
        folder / "ca.pem",
        folder / "server.pem",
        folder / "server.key",
        folder / "client.p12",
        folder / "trust.p12",
    )
    paths.ca_pem.write_bytes(ca.public_bytes(pem))
    paths.server_pem.write_bytes(server.public_bytes(pem) + ca.public_bytes(pem))
    paths.server_key.write_bytes(
        server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    password = serialization.BestAvailableEncryption(b"secret")
    paths.client_p12.write_bytes(
        pkcs12.serialize_key_and_certificates(b"client", server_key, server, [ca], password)
    )
    paths.trust_p12.write_bytes(
        pkcs12.serialize_key_and_certificates(b"ca", None, ca, None, password)
    )
    return paths
