"""Bad input through the real commands: one line naming the setting, exit 2 (1 when the
ledger's server is out of reach), no traceback, nothing created on disk — and the same
checks in ``check-config`` as in ``scan`` (one validation path)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import typer
from cryptography.hazmat.primitives import serialization
from sqlalchemy.exc import OperationalError
from tests.graph.test_auth import _certificate
from typer.testing import CliRunner

from slotguard.config.rules import example_rules_text
from slotguard.entrypoints.cli import config_cmd, live_cmd
from slotguard.errors import ConfigError

# Read before the settings fixtures clear SLOTGUARD_* from the environment.
PG_URL = os.environ.get("SLOTGUARD_TEST_POSTGRES_URL", "")
CREDENTIALS = {"SLOTGUARD_TENANT_ID": "contoso.onmicrosoft.com",
               "SLOTGUARD_CLIENT_ID": "5b8e9c21-6d4f-4a3b-8e7d-2c1b0a9f8e7d",
               "SLOTGUARD_CLIENT_SECRET": "s3cret-value"}


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    config_cmd.register(app)
    live_cmd.register(app)
    return app


@pytest.fixture
def base(clean_env: Path) -> dict[str, str]:
    (clean_env / "slotguard.toml").write_text(example_rules_text())
    return {**CREDENTIALS, "SLOTGUARD_STATE_DIR": str(clean_env / "state"),
            "SLOTGUARD_RULES_FILE": str(clean_env / "slotguard.toml")}


def run(app: typer.Typer, env: dict[str, str], *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, list(args), env=env)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr.splitlines()


def _pem(tmp: Path, *, key: bool = True, cert: bool = True) -> Path:
    private, certificate = _certificate()
    data = b""
    if key:
        data += private.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
    if cert:
        data += certificate.public_bytes(serialization.Encoding.PEM)
    path = tmp / "app.pem"
    path.write_bytes(data)
    return path


@contextmanager
def unprivileged() -> Iterator[None]:
    """Root may write any file; the checks must hold for the unprivileged service user."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def shared_dir(base: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working folder every user can enter (pytest's tmp_path is root's own), with the
    rules file in it."""
    path = Path(tempfile.mkdtemp(prefix="slotguard-ro-"))
    path.chmod(0o755)
    rules = path / "slotguard.toml"
    rules.write_text(example_rules_text())
    rules.chmod(0o644)
    base["SLOTGUARD_RULES_FILE"] = str(rules)
    monkeypatch.chdir(path)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def both_commands(app: typer.Typer, env: dict[str, str], field: str, state: Path) -> None:
    """check-config and scan reject the same setting, scan before it creates anything."""
    for args in (("check-config",), ("scan", "--once")):
        code, lines = run(app, env, *args)
        assert code == 2, (args, lines)
        assert len(lines) == 1 and field in lines[0], (args, lines)
    assert not state.exists() or not (state / "slotguard.db").exists()


def test_secret_and_certificate_both_set(app: typer.Typer, base: dict[str, str],
                                         clean_env: Path) -> None:
    env = {**base, "SLOTGUARD_CLIENT_CERTIFICATE_PATH": str(_pem(clean_env))}
    both_commands(app, env, "SLOTGUARD_CLIENT_SECRET: set either it or "
                  "SLOTGUARD_CLIENT_CERTIFICATE_PATH, not both", clean_env / "state")


@pytest.mark.parametrize(("kind", "wording"), [
    ("garbage", "is not a readable PEM/PFX"),
    ("no_key", "has no private key"),
    ("no_cert", "has no certificate"),
])
def test_a_certificate_that_cannot_sign_in(app: typer.Typer, base: dict[str, str],
                                           clean_env: Path, kind: str, wording: str) -> None:
    if kind == "garbage":
        path = clean_env / "app.pfx"
        path.write_bytes(b"\x00not a certificate")
    else:
        path = _pem(clean_env, key=kind != "no_key", cert=kind != "no_cert")
    env = {**base, "SLOTGUARD_CLIENT_CERTIFICATE_PATH": str(path)}
    del env["SLOTGUARD_CLIENT_SECRET"]
    both_commands(app, env, f"SLOTGUARD_CLIENT_CERTIFICATE_PATH: {path} {wording}",
                  clean_env / "state")


def test_an_unreadable_certificate(app: typer.Typer, base: dict[str, str],
                                   shared_dir: Path) -> None:
    path = _pem(shared_dir)
    path.chmod(0o200)
    (shared_dir / "state").mkdir(mode=0o777)
    (shared_dir / "state").chmod(0o777)
    env = {**base, "SLOTGUARD_CLIENT_CERTIFICATE_PATH": str(path),
           "SLOTGUARD_STATE_DIR": str(shared_dir / "state")}
    del env["SLOTGUARD_CLIENT_SECRET"]
    with unprivileged():
        both_commands(app, env, "SLOTGUARD_CLIENT_CERTIFICATE_PATH: cannot read",
                      shared_dir / "state")


def test_a_ca_bundle_that_is_not_pem(app: typer.Typer, base: dict[str, str],
                                     clean_env: Path) -> None:
    bundle = clean_env / "ca.pem"
    bundle.write_text("just some text\n")
    both_commands(app, {**base, "SLOTGUARD_CA_BUNDLE": str(bundle)},
                  "SLOTGUARD_CA_BUNDLE: ", clean_env / "state")


def test_a_state_dir_that_is_a_file(app: typer.Typer, base: dict[str, str],
                                    clean_env: Path) -> None:
    (clean_env / "state").write_text("")
    both_commands(app, base, "SLOTGUARD_STATE_DIR: ", clean_env / "nowhere")
    assert (clean_env / "state").read_text() == ""


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_ledger(app: typer.Typer, base: dict[str, str], clean_env: Path,
                             url: str) -> None:
    both_commands(app, {**base, "SLOTGUARD_DATABASE_URL": url},
                  "SLOTGUARD_DATABASE_URL: an in-memory SQLite database", clean_env / "state")
    assert not (clean_env / "state").exists()


def test_scan_checks_settings_before_it_creates_the_state_dir(
        app: typer.Typer, base: dict[str, str], clean_env: Path) -> None:
    env = {k: v for k, v in base.items() if k != "SLOTGUARD_CLIENT_SECRET"}
    code, lines = run(app, env, "scan", "--once")
    assert code == 2 and len(lines) == 1 and "SLOTGUARD_CLIENT_SECRET: not set" in lines[0]
    assert not (clean_env / "state").exists()


def test_a_read_only_state_dir_and_ledger(app: typer.Typer, base: dict[str, str],
                                          shared_dir: Path) -> None:
    state = shared_dir / "state"
    state.mkdir()
    env = {**base, "SLOTGUARD_STATE_DIR": str(state)}
    state.chmod(0o555)
    with unprivileged():
        for args in (("check-config",), ("scan", "--once"), ("ledger",)):
            code, lines = run(app, env, *args)
            assert code == 2 and len(lines) == 1, (args, lines)
            assert "SLOTGUARD_STATE_DIR: " in lines[0] and "not writable" in lines[0]
    assert list(state.iterdir()) == []
    state.chmod(0o777)
    (state / "slotguard.db").write_bytes(b"")
    (state / "slotguard.db").chmod(0o444)
    with unprivileged():
        for args in (("check-config",), ("scan", "--once"), ("ledger",)):
            code, lines = run(app, env, *args)
            assert code == 2 and len(lines) == 1, (args, lines)
            assert "slotguard.db is read-only" in lines[0]
    assert (state / "slotguard.db").read_bytes() == b""


def test_an_unreachable_database_server(app: typer.Typer, base: dict[str, str]) -> None:
    env = {**base, "SLOTGUARD_DATABASE_URL": "postgresql+psycopg://u:pw@127.0.0.1:1/x"}
    for args in (("scan", "--once"), ("ledger",), ("run",)):
        code, lines = run(app, env, *args)
        assert code == 1 and len(lines) == 1, (args, lines)
        assert lines[0].startswith("slotguard: SLOTGUARD_DATABASE_URL: cannot open the ledger")
        assert "pw" not in lines[0].replace("pwd", "")


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="SLOTGUARD_TEST_POSTGRES_URL is not set")
def test_a_database_that_refuses_the_login(app: typer.Typer, base: dict[str, str]) -> None:
    env = {**base, "SLOTGUARD_DATABASE_URL": PG_URL.rsplit("/", 1)[0] + "/no_such_db"}
    for args in (("scan", "--once"), ("ledger",), ("run",)):
        code, lines = run(app, env, *args)
        assert code == 2 and len(lines) == 1, (args, lines)
        assert "SLOTGUARD_DATABASE_URL: the database refused the login" in lines[0]


def test_a_wrong_password_is_bad_input() -> None:
    from slotguard.errors import LedgerUnavailable
    from slotguard.store.ledger import _unusable

    refused = OperationalError("connect", {}, Exception(
        'connection failed: FATAL:  password authentication failed for user "slotguard"'))
    error = _unusable(refused)
    assert isinstance(error, ConfigError)
    assert error.problems[0].startswith("SLOTGUARD_DATABASE_URL: the database refused")
    assert isinstance(_unusable(OperationalError("connect", {}, Exception("refused"))),
                      LedgerUnavailable)


def test_a_deeply_nested_rules_file(app: typer.Typer, base: dict[str, str],
                                    clean_env: Path) -> None:
    (clean_env / "slotguard.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    for args in (("check-config",), ("scan", "--once")):
        code, lines = run(app, base, *args)
        assert code == 2 and len(lines) == 1 and "nested too deeply" in lines[0]
    assert not (clean_env / "state").exists()


def test_a_dotenv_that_is_not_utf8(app: typer.Typer, base: dict[str, str],
                                   clean_env: Path) -> None:
    (clean_env / ".env").write_bytes(b"SLOTGUARD_DRY_RUN=caf\xe9\n")
    for args in (("check-config",), ("scan", "--once"), ("ledger",)):
        code, lines = run(app, base, *args)
        assert code == 2 and len(lines) == 1 and ".env: byte" in lines[0], (args, lines)
    assert not (clean_env / "state").exists()


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "2026-W60"])
def test_a_week_out_of_range(app: typer.Typer, base: dict[str, str], clean_env: Path,
                             week: str) -> None:
    for args in (("scan", "--once", "--week", week), ("ledger", "--week", week)):
        code, lines = run(app, base, *args)
        assert code == 2 and len(lines) == 1 and lines[0].startswith("slotguard: --week: ")
    assert not (clean_env / "state").exists()


def test_error_lines_are_json_when_logs_are(app: typer.Typer, base: dict[str, str],
                                            clean_env: Path) -> None:
    bundle = clean_env / "ca.pem"
    bundle.write_text("not pem\n")
    cases = [
        ({**base, "SLOTGUARD_CA_BUNDLE": str(bundle)}, ("scan", "--once"), 2),
        ({**base, "SLOTGUARD_CLOUD": "mars"}, ("check-config",), 2),
        (base, ("scan", "--once", "--week", "9999-W52"), 2),
        ({**base, "SLOTGUARD_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/x"},
         ("ledger",), 1),
    ]
    for env, args, wanted in cases:
        code, lines = run(app, {**env, "SLOTGUARD_LOG_FORMAT": "json"}, *args)
        assert code == wanted and len(lines) == 1, (args, lines)
        record = json.loads(lines[0])
        assert record["level"] == "error" and record["problem"], record
