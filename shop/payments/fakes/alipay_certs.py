"""Alipay's public-key certificate mode (公钥证书模式), made locally: a root certificate
chain, the app's public key certificate and Alipay's public key certificate, each signed
by the root, and the serial numbers (SN) Alipay computes from them.

A merchant in this mode downloads three files from the open platform: the app's
certificate (``appCertPublicKey_<app id>.crt``, issued for the key pair the merchant
made), Alipay's public key certificate (``alipayCertPublicKey_RSA2.crt``) and the root
chain (``alipayRootCert.crt``). Every request carries ``app_cert_sn`` and
``alipay_root_cert_sn``; every answer carries ``alipay_cert_sn``.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from shop.payments.fakes.base import KeyPair

_ORDER = (
    ("CN", NameOID.COMMON_NAME),
    ("OU", NameOID.ORGANIZATIONAL_UNIT_NAME),
    ("O", NameOID.ORGANIZATION_NAME),
    ("C", NameOID.COUNTRY_NAME),
)


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ant Financial"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Certification Authority"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _issue(subject: x509.Name, public_key: Any, issuer: x509.Name, signer: Any) -> str:
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(secrets.randbits(63))
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(signer, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def cert_sn(pem: str) -> str:
    """Alipay's serial number of a certificate: MD5 of its issuer (CN, OU, O, C) and its
    serial number in decimal."""
    cert = x509.load_pem_x509_certificate(pem.encode())
    parts = []
    for label, oid in _ORDER:
        found = cert.issuer.get_attributes_for_oid(oid)
        value = found[0].value if found else None
        parts.append(f"{label}={value!s}")
    text = ",".join(parts) + str(cert.serial_number)
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def root_cert_sn(chain: str) -> str:
    """The root chain's serial number: those of its RSA certificates, joined by ``_``
    (Alipay's chain also holds an SM2 root, which does not count)."""
    begin = "-----BEGIN CERTIFICATE-----"
    pems = [begin + part for part in chain.split(begin)[1:]]
    signed_by_rsa = [
        pem
        for pem in pems
        if isinstance(x509.load_pem_x509_certificate(pem.encode()).public_key(), rsa.RSAPublicKey)
    ]
    return "_".join(cert_sn(pem) for pem in signed_by_rsa)


@dataclass(frozen=True)
class AlipayCertificates:
    app_cert: str
    alipay_cert: str
    root_chain: str

    @classmethod
    def issue(cls, app: KeyPair, alipay: KeyPair) -> AlipayCertificates:
        """A root (RSA) beside an elliptic-curve root, as Alipay's chain has two, and the
        app's and Alipay's certificates signed by the RSA root."""
        root_key = KeyPair.generate().key
        root_name = _name("Ant Financial Certification Authority R1")
        root = _issue(root_name, root_key.public_key(), root_name, root_key)
        other_key = ec.generate_private_key(ec.SECP256R1())
        other_name = _name("Ant Financial Certification Authority E1")
        other = _issue(other_name, other_key.public_key(), other_name, other_key)
        class_2 = _name("Ant Financial Certification Authority Class 2 R1")
        app_cert = _issue(_name("app"), app.key.public_key(), class_2, root_key)
        alipay_cert = _issue(_name("alipay"), alipay.key.public_key(), class_2, root_key)
        # The chain's certificates are apart by a blank line, as in alipayRootCert.crt.
        return cls(app_cert, alipay_cert, f"{other.strip()}\n\n{root.strip()}\n")

    @property
    def app_cert_sn(self) -> str:
        return cert_sn(self.app_cert)

    @property
    def alipay_cert_sn(self) -> str:
        return cert_sn(self.alipay_cert)

    @property
    def root_cert_sn(self) -> str:
        return root_cert_sn(self.root_chain)
