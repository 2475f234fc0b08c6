"""Entra ID answers as msal expects (client secret and certificate assertion, Entra's error
codes) and the directory reads slotguard uses for seller discovery, plus the /_sim/ admin
endpoints other processes use."""

from __future__ import annotations

import datetime as dt
import uuid

import msal
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from slotguard.sim.auth import cert_thumbprints
from slotguard.sim.model import AppCertificate
from slotguard.sim.server import SimServer

from .clients import graph_scope, msal_app
from .conftest import RawGraph

EAST_COAST = "3f2a5c1e-7b8d-4e21-9a0f-5d6c7b8a9e01"


def _certificate() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "slotguard app")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def _cert_app(sim: SimServer, credential: dict[str, str]) -> msal.ConfidentialClientApplication:
    session = requests.Session()
    session.trust_env = False
    session.verify = str(sim.ca_file)
    return msal.ConfidentialClientApplication(
        sim.client_id,
        client_credential=credential,
        authority=f"{sim.authority_url}/{sim.tenant_id}",
        instance_discovery=False,
        http_client=session,
    )


def test_certificate_client_assertion_is_verified(sim: SimServer) -> None:
    key_pem, cert_pem = _certificate()
    sha1, sha256, public = cert_thumbprints(cert_pem.encode())
    app_reg = sim.tenant.apps[sim.client_id]
    scope = graph_scope(sim.env())
    # Not registered yet: Entra answers that the key was not found.
    result = _cert_app(
        sim, {"private_key": key_pem, "public_certificate": cert_pem}
    ).acquire_token_for_client(scope)
    assert result["error"] == "invalid_client" and 700027 in result["error_codes"]
    app_reg.certificates.append(AppCertificate(sha1, sha256, public))
    # msal signs PS256 with x5t#S256 when it has the certificate ...
    ok = _cert_app(
        sim, {"private_key": key_pem, "public_certificate": cert_pem}
    ).acquire_token_for_client(scope)
    assert ok.get("token_type") == "Bearer", ok
    # ... and RS256 with the SHA-1 thumbprint when only that is given.
    ok = _cert_app(sim, {"private_key": key_pem, "thumbprint": sha1}).acquire_token_for_client(
        scope
    )
    assert ok.get("token_type") == "Bearer", ok
    other_key, _ = _certificate()
    forged = _cert_app(
        sim, {"private_key": other_key, "thumbprint": sha1}
    ).acquire_token_for_client(scope)
    assert forged["error"] == "invalid_client" and 700027 in forged["error_codes"]


def test_an_expired_certificate_or_secret_is_refused_as_entra_refuses_it(
        sim: SimServer) -> None:
    key_pem, cert_pem = _certificate()
    sha1, sha256, public = cert_thumbprints(cert_pem.encode())
    app_reg = sim.tenant.apps[sim.client_id]
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    app_reg.certificates.append(AppCertificate(sha1, sha256, public, past))
    scope = graph_scope(sim.env())
    expired = _cert_app(
        sim, {"private_key": key_pem, "public_certificate": cert_pem}
    ).acquire_token_for_client(scope)
    assert expired["error"] == "invalid_client" and expired["error_codes"] == [700027]
    assert "[Reason - The key used is expired." in expired["error_description"]
    app_reg.secret_ends[sim.client_secret] = past
    result = msal_app(sim.env()).acquire_token_for_client(scope)
    assert result["error"] == "invalid_client" and result["error_codes"] == [7000222]
    assert f"client secret keys for app '{sim.client_id}' are expired" in (
        result["error_description"])


def test_a_scenario_gives_a_secret_its_end_date(sim: SimServer) -> None:
    client_id = sim.client_id
    sim.load_scenario({"apps": [{"clientId": client_id, "secrets": [
        "current", {"value": "old", "endDateTime": "2020-01-01T00:00:00+00:00"}]}]})
    app_reg = sim.tenant.apps[client_id]
    assert app_reg.secrets == ("current", "old")
    assert app_reg.secret_ends == {"old": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}
    scope = graph_scope(sim.env())
    assert "access_token" in msal_app(sim.env()).acquire_token_for_client(scope)
    old = msal_app({**sim.env(), "SLOTGUARD_CLIENT_SECRET": "old"})
    assert old.acquire_token_for_client(scope)["error_codes"] == [7000222]


def test_unknown_tenant_and_bad_scope(sim: SimServer) -> None:
    with pytest.raises(ValueError, match=r"AADSTS90002|invalid_tenant|Unable to get authority"):
        msal_app({**sim.env(), "SLOTGUARD_TENANT_ID": str(uuid.uuid4())})
    app = msal_app(sim.env())
    bad = app.acquire_token_for_client(["https://graph.microsoft.com/Calendars.Read"])
    assert bad["error"] == "invalid_scope" and 1002012 in bad["error_codes"]
    foreign = app.acquire_token_for_client(["https://management.azure.com/.default"])
    assert foreign["error"] == "invalid_resource"
    # The scope may name the Graph root slotguard is configured with (the simulator's URL).
    assert "access_token" in app.acquire_token_for_client(graph_scope(sim.env()))


def test_token_lifetime_is_configurable(sim_state_dir: object) -> None:
    with SimServer(token_lifetime=120, state_dir=sim_state_dir) as short:  # type: ignore[arg-type]
        result = msal_app(short.env()).acquire_token_for_client(graph_scope(short.env()))
        assert result["expires_in"] == 120


def test_users_manager_and_group_members(shared_graph: RawGraph) -> None:
    by_upn = shared_graph.get("/users/emma.clark@contoso.com").json()
    by_id = shared_graph.get(f"/users/{by_upn['id']}").json()
    assert by_upn == by_id and by_upn["userPrincipalName"] == "emma.clark@contoso.com"
    manager = shared_graph.get("/users/emma.clark@contoso.com/manager").json()
    assert manager["userPrincipalName"] == "david.ross@contoso.com"
    assert manager["@odata.type"] == "#microsoft.graph.user"
    r = shared_graph.get("/users/david.ross@contoso.com/manager")
    assert r.status_code == 404 and r.json()["error"]["code"] == "Request_ResourceNotFound"
    # A type cast is an advanced query: ConsistencyLevel: eventual with $count=true.
    advanced = {"ConsistencyLevel": "eventual"}
    members = shared_graph.get(
        f"/groups/{EAST_COAST}/transitiveMembers/microsoft.graph.user",
        params={"$select": "id,userPrincipalName,mail", "$top": "3", "$count": "true"},
        headers=advanced,
    ).json()
    upns = [m["userPrincipalName"] for m in members["value"]]
    follow = shared_graph.get(members["@odata.nextLink"], headers=advanced).json()
    upns += [m["userPrincipalName"] for m in follow["value"]]
    assert upns == [
        "emma.clark@contoso.com",
        "liam.turner@contoso.com",
        "olivia.hayes@contoso.com",
        "noah.price@contoso.com",
    ]
    alias = shared_graph.get(f"/groups/{EAST_COAST}/transitiveMembers/graph.user",
                             params={"$count": "true"}, headers=advanced).json()
    assert [m["userPrincipalName"] for m in alias["value"]] == upns  # the SDKs' short cast
    nested = shared_graph.get(
        "/groups/5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a803/transitiveMembers"
    ).json()
    kinds = [m["@odata.type"] for m in nested["value"]]
    assert kinds.count("#microsoft.graph.group") == 2 and kinds.count("#microsoft.graph.user") == 8


def test_admin_endpoints_mirror_the_python_api(sim: SimServer, graph: RawGraph) -> None:
    admin = graph.http
    base = f"{sim.graph_url}/_sim"
    graph.get("/users/anna.berg@contoso.com/mailboxSettings")
    logged = admin.get(f"{base}/requests").json()
    assert any(
        r["path"].endswith("/mailboxSettings") and r["mailbox"] == "anna.berg@contoso.com"
        for r in logged
    )
    assert admin.delete(f"{base}/requests").status_code == 200 and sim.requests() == []
    assert admin.put(f"{base}/faults", json={"unavailable_rate": 1.0}).status_code == 200
    assert graph.get("/users/anna.berg@contoso.com/mailboxSettings").status_code == 503
    assert admin.put(f"{base}/faults", json={"nonsense": 1}).status_code == 400
    admin.put(f"{base}/faults", json={})
    admin.post(f"{base}/expire-tokens")
    assert graph.get("/users/anna.berg@contoso.com/mailboxSettings").status_code == 401
    graph.token = graph.fetch_token()
    small = {
        "tenant": {"id": sim.tenant_id, "domain": "contoso.com"},
        "apps": [{"clientId": sim.client_id, "secrets": ["sim-secret"]}],
        "users": [{"upn": "solo@contoso.com", "timeZone": "UTC"}],
    }
    assert admin.post(f"{base}/scenario", json=small).json() == {"loaded": True, "users": 1}
    assert graph.get("/users/solo@contoso.com/mailboxSettings").json()["timeZone"] == "UTC"
    assert admin.post(f"{base}/scenario", json={"name": "demo"}).json()["users"] == 12
    assert admin.get(f"{base}/events/anna.berg@contoso.com").status_code == 200
    assert (
        admin.post(f"{base}/expire-delta", json={"upn": "anna.berg@contoso.com"}).status_code == 200
    )
