from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from slotguard.errors import AuthError, ConfigError
from slotguard.graph.auth import AuthConfig, MsalTokenProvider, http_session, load_certificate

CONFIG = AuthConfig(tenant_id="t", client_id="c", authority="https://login.example/t",
                    scope="https://graph.microsoft.com/.default", graph_host="graph.microsoft.com",
                    client_secret="s3cret")


def _certificate() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "slotguard")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    return key, cert


def test_a_foreign_host_gets_an_error_not_an_unsigned_request() -> None:
    provider = MsalTokenProvider(CONFIG)
    with pytest.raises(AuthError, match=r"evil\.example.*graph\.microsoft\.com"):
        asyncio.run(provider.get_authorization_token("https://evil.example/v1.0/users"))


def test_pem_and_password_protected_pfx_certificates(tmp_path: Path) -> None:
    key, cert = _certificate()
    pem = tmp_path / "app.pem"
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption())
        + cert.public_bytes(serialization.Encoding.PEM))
    pfx = tmp_path / "app.pfx"
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(
        b"app", key, cert, None, serialization.BestAvailableEncryption(b"pw")))
    for path, password in ((pem, None), (pfx, "pw")):
        credential = load_certificate(path, password)
        assert credential["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
        assert credential["public_certificate"].startswith("-----BEGIN CERTIFICATE-----")
    with pytest.raises(ConfigError, match="CLIENT_CERTIFICATE_PASSWORD"):
        load_certificate(pfx, "wrong")


def test_the_ca_bundle_session_ignores_requests_ca_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    session = http_session(bundle)
    assert session is not None and session.trust_env is False and session.verify == str(bundle)
    assert http_session(None) is None
