"""The credential and the sign-in: a certificate's end date read from the file (expired,
or ending within 30 days), and Entra's refusals — a wrong or expired secret, a certificate
Entra does not know or has expired, a tenant or app that does not exist — each named with
its fix."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from tests.doctor.conftest import Doctor

from slotguard.sim.auth import cert_thumbprints
from slotguard.sim.model import AppCertificate


def certificate(folder: Path, *, days: float, registered: Doctor | None = None,
                started_days_ago: float = 400) -> Path:
    """A PEM file (key + certificate) valid until ``days`` from now (negative: expired),
    registered with the simulator's app when ``registered`` is given."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "slotguard")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=started_days_ago))
            .not_valid_after(now + dt.timedelta(days=days)).sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    path = folder / f"app-{uuid.uuid4().hex[:6]}.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()) + pem)
    if registered is not None:
        sha1, sha256, public = cert_thumbprints(pem)
        app = next(iter(registered.sim.tenant.apps.values()))
        app.certificates.append(AppCertificate(sha1, sha256, public,
                                               cert.not_valid_after_utc))
    return path


def with_certificate(doctor: Doctor, path: Path) -> dict[str, str | None]:
    return {"SLOTGUARD_CLIENT_SECRET": None, "SLOTGUARD_CLIENT_CERTIFICATE_PATH": str(path)}


def test_a_certificate_valid_for_long_passes(doctor: Doctor, tmp_path: Path) -> None:
    path = certificate(tmp_path, days=300, registered=doctor)
    outcome = doctor.report(**with_certificate(doctor, path))
    assert outcome.code == 0, outcome.report
    summary = outcome.check("credential")["summary"]
    assert summary.startswith(f"certificate {path}, thumbprint ") and "(299 days)" in summary


def test_a_certificate_that_ends_within_30_days_is_a_warning(doctor: Doctor,
                                                             tmp_path: Path) -> None:
    path = certificate(tmp_path, days=10.5, registered=doctor)
    outcome = doctor.run(**with_certificate(doctor, path))
    assert outcome.code == 0  # it still signs in: a warning, not a failure
    line = next(x for x in outcome.out.splitlines() if "Credential" in x)
    assert line.startswith("warn    Credential:") and "(10 days): expires soon" in line
    assert "upload it under" in outcome.out
    assert outcome.out.splitlines()[-1] == "slotguard doctor: all checks passed, 1 warning(s)"


def test_an_expired_certificate_fails_here_and_at_entra(doctor: Doctor, tmp_path: Path) -> None:
    path = certificate(tmp_path, days=-2, registered=doctor)
    outcome = doctor.report(**with_certificate(doctor, path))
    assert outcome.code == 1
    expired = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).date()
    assert outcome.check("credential")["summary"].endswith(f"expired on {expired:%Y-%m-%d}")
    assert "create a new certificate" in outcome.check("credential")["fix"]
    signed = outcome.check("sign_in")
    assert signed["status"] == "fail" and "AADSTS700027" in signed["summary"]
    assert "The key used is expired" in signed["summary"]
    assert "Certificates & secrets" in signed["fix"]
    assert outcome.status("mailboxes") == "skipped"


def test_a_certificate_entra_does_not_know(doctor: Doctor, tmp_path: Path) -> None:
    path = certificate(tmp_path, days=300)
    outcome = doctor.report(**with_certificate(doctor, path))
    assert outcome.status("credential") == "ok"
    assert "AADSTS700027" in outcome.check("sign_in")["summary"]
    assert "upload it" in outcome.check("sign_in")["fix"]


def test_a_wrong_secret(doctor: Doctor) -> None:
    outcome = doctor.report(SLOTGUARD_CLIENT_SECRET="not-the-secret")
    assert outcome.code == 1
    signed = outcome.check("sign_in")
    assert "AADSTS7000215" in signed["summary"] and "not-the-secret" not in outcome.out
    assert "Value (not its Secret ID)" in signed["fix"]
    assert [c["status"] for c in outcome.report["checks"][3:]] == ["skipped"] * 3


def test_an_expired_secret_is_named_as_such(doctor: Doctor) -> None:
    app = next(iter(doctor.sim.tenant.apps.values()))
    app.secret_ends[doctor.sim.client_secret] = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    outcome = doctor.report()
    signed = outcome.check("sign_in")
    assert "AADSTS7000222" in signed["summary"]
    assert signed["fix"].startswith("the client secret has expired: create a new one")


@pytest.mark.parametrize(("env", "says"), [
    ({"SLOTGUARD_TENANT_ID": str(uuid.uuid4())}, "Entra does not know the tenant"),
    ({"SLOTGUARD_CLIENT_ID": str(uuid.uuid4())}, "copy the Application (client) ID"),
])
def test_a_tenant_or_app_that_does_not_exist(doctor: Doctor, env: dict[str, str],
                                             says: str) -> None:
    outcome = doctor.report(**env)
    assert outcome.code == 1 and says in outcome.check("sign_in")["fix"]
