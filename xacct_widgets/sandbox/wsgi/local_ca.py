"""A certificate authority of the sandbox's own, for ``Sandbox(tls=True)``: HTTPS on loopback.

Real AWS endpoints speak only HTTPS, and each new connection costs a TLS handshake. To serve
HTTPS the sandbox makes, at start, a CA and a server certificate it signs (subject alternative
names 127.0.0.1, localhost and the bound host; TLS server authentication only). Clients trust the
CA through the bundle file alone (``AWS_CA_BUNDLE``, a profile's ``ca_bundle``, botocore's
``ca_bundle`` setting): nothing enters the system's trust store. The CA's key never leaves
memory and is dropped after signing; the server's key and both certificates live in a private
folder (0700, files 0600) removed at stop.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["LocalCA", "make_local_ca"]

_VALID_FOR: Final = datetime.timedelta(days=7)  # a sandbox lives for a session, not a year


@dataclass(frozen=True)
class LocalCA:
    """The files of one sandbox's CA: ``ca_bundle`` is what clients trust."""

    folder: Path
    ca_bundle: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        """The TLS context the server answers with (TLS 1.2 or later)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def make_local_ca(host: str) -> LocalCA:
    """A new CA and a server certificate for ``host`` (and 127.0.0.1, localhost), written to a
    new private folder."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xacct sandbox local CA")])
    ca_cert = (
        _builder(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    with contextlib.suppress(ValueError):
        address = ipaddress.ip_address(host)
        if str(address) != "127.0.0.1":
            names.append(x509.IPAddress(address))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    cert = (
        _builder(subject, ca_name, key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="xacct-sandbox-tls-"))  # 0700
    pem = serialization.Encoding.PEM
    files = LocalCA(folder, folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    try:
        _write(files.ca_bundle, ca_cert.public_bytes(pem))
        _write(files.cert_file, cert.public_bytes(pem))
        private = serialization.PrivateFormat.PKCS8
        _write(files.key_file, key.private_bytes(pem, private, serialization.NoEncryption()))
    except BaseException:
        files.remove()
        raise
    return files


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    now: datetime.datetime,
) -> x509.CertificateBuilder:
    """The fields both certificates share: names, key, serial, a week's validity."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + _VALID_FOR)
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """A CA signs certificates; the server's key signs its handshakes."""
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file only its owner can read (0600)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
