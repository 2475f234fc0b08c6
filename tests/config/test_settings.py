from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest
from pydantic import ValidationError

from slotguard.config.settings import Cloud, Settings, load_settings
from slotguard.errors import ConfigError

TENANT = "7d3f1a62-2c4b-4c8e-9a55-1f0e2d3c4b5a"
CLIENT = "5b8e9c21-6d4f-4a3b-8e7d-2c1b0a9f8e7d"
SECRET = "s3cr3t-VALUE-that-must-not-leak"


def problems_of(**overrides: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(**overrides)
    return caught.value.problems


@pytest.mark.parametrize(
    ("cloud", "graph", "host", "authority"),
    [
        ("global", "https://graph.microsoft.com", "graph.microsoft.com",
         "https://login.microsoftonline.com"),
        ("usgov", "https://graph.microsoft.us", "graph.microsoft.us",
         "https://login.microsoftonline.us"),
        ("usgov-dod", "https://dod-graph.microsoft.us", "dod-graph.microsoft.us",
         "https://login.microsoftonline.us"),
        # Entra's table of authentication endpoints; msal calls login.chinacloudapi.cn
        # deprecated.
        ("china", "https://microsoftgraph.chinacloudapi.cn", "microsoftgraph.chinacloudapi.cn",
         "https://login.partner.microsoftonline.cn"),
    ],
)
def test_national_clouds(cloud: str, graph: str, host: str, authority: str) -> None:
    settings = load_settings(cloud=cloud, tenant_id=TENANT)
    assert settings.graph_root == graph
    assert settings.graph_base_url == graph + "/v1.0"
    assert settings.graph_scope == graph + "/.default"
    assert settings.graph_host == host
    assert settings.authority == f"{authority}/{TENANT}"


def test_environment_and_dotenv_are_read_case_insensitively(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    (clean_env / ".env").write_text("slotguard_cloud=USGOV\nSLOTGUARD_DRY_RUN=true\n")
    monkeypatch.setenv("SLOTGUARD_MAILBOX_CONCURRENCY", "2")
    settings = load_settings()
    assert settings.cloud is Cloud.USGOV
    assert settings.dry_run is True
    assert settings.mailbox_concurrency == 2


def test_defaults() -> None:
    settings = load_settings()
    assert settings.cloud is Cloud.GLOBAL
    assert settings.rules_file == Path("slotguard.toml")
    assert settings.scan_interval_seconds == 300
    assert settings.concurrency == 32
    assert settings.mailbox_concurrency == 4
    assert settings.log_personal_data is False
    state = Path(platformdirs.user_state_dir("slotguard", appauthor=False))
    assert settings.state_dir == state and state.is_absolute()
    assert settings.database_url_resolved == f"sqlite:///{(state / 'slotguard.db').as_posix()}"
    assert settings.replica_id is None  # stable per host and state directory


def test_the_default_state_dir_does_not_depend_on_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_settings().database_url_resolved
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert load_settings().database_url_resolved == first


def test_a_relative_state_dir_is_made_absolute_when_read(tmp_path: Path) -> None:
    settings = load_settings(state_dir="state")
    assert settings.state_dir == tmp_path / "state"


def test_a_state_dir_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("")
    with pytest.raises(ConfigError) as caught:
        load_settings(state_dir=str(tmp_path / "state"))
    assert caught.value.problems == [
        f"SLOTGUARD_STATE_DIR: {tmp_path / 'state'} is a file, not a directory; point it at "
        "a directory (it is created when missing)"]


def test_a_dotenv_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"SLOTGUARD_LOG_LEVEL=info\nSLOTGUARD_X=caf\xe9\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.problems == [".env: byte 40 is not UTF-8; save the file as UTF-8"]


@pytest.mark.parametrize(
    ("given", "root"),
    [
        ("https://127.0.0.1:8443", "https://127.0.0.1:8443"),
        ("https://127.0.0.1:8443/", "https://127.0.0.1:8443"),
        ("https://127.0.0.1:8443/v1.0", "https://127.0.0.1:8443"),
        ("https://127.0.0.1:8443/v1.0/", "https://127.0.0.1:8443"),
        (" HTTPS://Graph.Microsoft.US/V1.0 ", "https://graph.microsoft.us"),
        ("https://proxy.contoso.com/graph/v1.0", "https://proxy.contoso.com/graph"),
    ],
)
def test_graph_url_override_is_normalised(given: str, root: str) -> None:
    settings = load_settings(graph_url=given, cloud="china")
    assert settings.graph_root == root
    assert settings.graph_base_url == root + "/v1.0"
    assert "//v1.0" not in settings.graph_base_url
    assert ":" not in settings.graph_host  # bare host: kiota matches host names without port


def test_authority_override_keeps_host_and_appends_tenant() -> None:
    settings = load_settings(authority_url="https://127.0.0.1:8443/", tenant_id=TENANT)
    assert settings.authority == f"https://127.0.0.1:8443/{TENANT}"


@pytest.mark.parametrize("field", ["graph_url", "authority_url"])
def test_overrides_must_be_https(field: str) -> None:
    [line] = problems_of(**{field: "http://127.0.0.1:8080"})
    assert line.startswith(f"SLOTGUARD_{field.upper()}: must be an https:// URL")


def test_one_line_per_problem_with_the_offending_value() -> None:
    lines = problems_of(cloud="mars", mailbox_concurrency=5, scan_interval_seconds=5,
                        log_format="xml")
    assert "SLOTGUARD_CLOUD: must be one of global, usgov, usgov-dod, china (got 'mars')" in lines
    assert "SLOTGUARD_MAILBOX_CONCURRENCY: must be at most 4 (got 5)" in lines
    assert "SLOTGUARD_SCAN_INTERVAL_SECONDS: must be at least 30 (got 5)" in lines
    assert "SLOTGUARD_LOG_FORMAT: must be one of console, json (got 'xml')" in lines
    assert all("\n" not in line for line in lines)


def test_files_must_exist(clean_env: Path) -> None:
    lines = problems_of(ca_bundle=clean_env / "missing.pem")
    assert lines == [f"SLOTGUARD_CA_BUNDLE: no such file: {clean_env / 'missing.pem'}; "
                     "give the path of an existing file"]


def test_secret_never_in_repr_or_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOTGUARD_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("SLOTGUARD_CLIENT_CERTIFICATE_PASSWORD", SECRET)
    monkeypatch.setenv("SLOTGUARD_DATABASE_URL", f"postgresql://app:{SECRET}@db/slotguard")
    settings = load_settings()
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)
    assert SECRET not in settings.model_dump_json()
    assert SECRET not in settings.database_url_display
    assert settings.client_secret is not None
    assert settings.client_secret.get_secret_value() == SECRET

    # A bad secret-bearing value: neither our message nor pydantic's own text repeats it.
    monkeypatch.setenv("SLOTGUARD_DATABASE_URL", f"mysql://app:{SECRET}@db/x")
    monkeypatch.setenv("SLOTGUARD_CLOUD", "mars")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert SECRET not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    with pytest.raises(ValidationError) as raw:
        Settings()
    assert SECRET not in str(raw.value)

    # Credential problems name the variables, never the values.
    problems = settings.credential_problems()
    assert not any(SECRET in line for line in problems)


def test_secret_or_certificate(clean_env: Path) -> None:
    cert = clean_env / "app.pem"
    cert.write_text("-----BEGIN PRIVATE KEY-----\n")
    base = {"tenant_id": TENANT, "client_id": CLIENT}

    assert load_settings(**base, client_secret=SECRET).credential_kind == "secret"
    load_settings(**base, client_secret=SECRET).require_credentials()
    with_cert = load_settings(**base, client_certificate_path=cert,
                              client_certificate_password="pw")
    assert with_cert.credential_kind == "certificate"
    with_cert.require_credentials()

    with pytest.raises(ConfigError) as both:
        load_settings(**base, client_secret=SECRET,
                      client_certificate_path=cert).require_credentials()
    assert both.value.problems == [
        "SLOTGUARD_CLIENT_SECRET: set either it or SLOTGUARD_CLIENT_CERTIFICATE_PATH, not both;"
        " remove one"
    ]
    with pytest.raises(ConfigError) as none:
        load_settings().require_credentials()
    assert [line.split(":")[0] for line in none.value.problems] == [
        "SLOTGUARD_TENANT_ID", "SLOTGUARD_CLIENT_ID", "SLOTGUARD_CLIENT_SECRET"]
    with pytest.raises(ConfigError) as orphan:
        load_settings(**base, client_secret=SECRET,
                      client_certificate_password="pw").require_credentials()
    assert orphan.value.problems[0].startswith("SLOTGUARD_CLIENT_CERTIFICATE_PASSWORD: set without")


def test_empty_values_from_dotenv_count_as_unset(clean_env: Path) -> None:
    (clean_env / ".env").write_text("SLOTGUARD_CLIENT_SECRET=\nSLOTGUARD_GRAPH_URL=\n")
    settings = load_settings()
    assert settings.client_secret is None
    assert settings.graph_url is None


def test_ids_are_validated() -> None:
    lines = problems_of(client_id="my-app", tenant_id="common")
    assert lines[0].startswith("SLOTGUARD_TENANT_ID: must name one tenant")
    assert lines[1].startswith("SLOTGUARD_CLIENT_ID: must be a GUID")
    assert load_settings(tenant_id="Contoso.onmicrosoft.com").tenant_id == "contoso.onmicrosoft.com"


def test_authority_without_tenant_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="SLOTGUARD_TENANT_ID: not set"):
        _ = load_settings().authority


def test_env_example_and_docs_cover_every_setting(clean_env: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    example = (root / ".env.example").read_text()
    docs = (root / "docs" / "configuration.md").read_text()
    for name in Settings.model_fields:
        variable = f"SLOTGUARD_{name.upper()}"
        assert f"\n{variable}=" in example, variable
        assert f"| `{variable}` |" in docs, variable
    # Copied as-is, the example is a valid .env: empty secrets count as unset.
    (clean_env / ".env").write_text(example)
    settings = load_settings()
    assert settings.client_secret is None and settings.cloud is Cloud.GLOBAL


@pytest.mark.parametrize(("given", "host", "port"), [
    ("127.0.0.1:9180", "127.0.0.1", 9180),
    ("0.0.0.0:9180", "0.0.0.0", 9180),
    (" localhost:8080 ", "localhost", 8080),
    ("[::]:9180", "::", 9180),
    ("[::1]:1", "::1", 1),
])
def test_http_listen_is_host_and_port(given: str, host: str, port: int) -> None:
    settings = load_settings(http_listen=given)
    assert (settings.http_host, settings.http_port) == (host, port)


def test_http_listen_defaults_to_loopback() -> None:
    assert load_settings().http_listen == "127.0.0.1:9180"


@pytest.mark.parametrize("given", [
    "9180", ":9180", "0.0.0.0", "0.0.0.0:0", "0.0.0.0:65536", "0.0.0.0:http", "::1:9180",
    "[not-v6]:9180", "999.1.1.1:9180", "my host:9180", "http://0.0.0.0:9180",
])
def test_a_bad_http_listen_is_one_line_with_the_fix(given: str) -> None:
    (line,) = problems_of(http_listen=given)
    assert line.startswith("SLOTGUARD_HTTP_LISTEN: ") and "127.0.0.1:9180" in line


def test_settings_come_from_credential_files(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    """systemd's LoadCredential= puts one file per credential in $CREDENTIALS_DIRECTORY."""
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "SLOTGUARD_CLIENT_SECRET").write_text(f"{SECRET}\n")
    (credentials / "SLOTGUARD_TENANT_ID").write_text(TENANT)
    (credentials / "slotguard.pem").write_bytes(b"\xff\xfe not a setting, never decoded")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    settings = load_settings()
    assert settings.client_secret is not None
    assert settings.client_secret.get_secret_value() == SECRET
    assert settings.tenant_id == TENANT
    # The environment wins over a credential, as it wins over .env.
    monkeypatch.setenv("SLOTGUARD_CLIENT_SECRET", "from-the-environment")
    assert load_settings().client_secret.get_secret_value() == "from-the-environment"  # type: ignore[union-attr]


def test_without_credentials_directory_nothing_is_read_from_files(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path / "absent"))
    assert load_settings().client_secret is None


def test_a_credential_that_is_not_text_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    (tmp_path / "SLOTGUARD_CLIENT_SECRET").write_bytes(b"\xff\xfe\x00binary")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    (line,) = problems_of()
    assert line.startswith("SLOTGUARD_CLIENT_SECRET: ") and "CREDENTIALS_DIRECTORY" in line
    assert "\\xff" not in line


def test_a_mistyped_credential_name_is_warned_about(tmp_path: Path) -> None:
    from slotguard.config.settings import unknown_variables

    (tmp_path / "SLOTGUARD_CLIENT_SECRT").write_text("x")
    (tmp_path / "slotguard.pem").write_text("a file passed by path")
    assert unknown_variables(environ={}, env_file=None, credentials=tmp_path) == [
        "SLOTGUARD_CLIENT_SECRT: not a slotguard setting and ignored; did you mean "
        "SLOTGUARD_CLIENT_SECRET?"]
