"""deploy/systemd/slotguard.service as shipped: systemd-analyze verify has nothing to say
about it, the secrets reach the dynamic user as credentials (LoadCredential=) that the
settings read, the replica id is stable and reload sends SIGHUP.

The credentials test plays systemd's part: the certificate stays root's own (0400) where
the admin put it, a copy owned by the service's user sits in the credentials directory,
and check-config runs as that user with the unit's environment."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from tests.config.test_one_line_errors import unprivileged
from tests.deploy.conftest import DEPLOY, CheckConfig
from tests.graph.test_auth import _certificate

from slotguard import exit_codes
from slotguard.config.rules import example_rules_text
from slotguard.config.settings import Settings

UNIT = DEPLOY / "systemd" / "slotguard.service"
SERVICE_USER = 65534  # stands in for the unit's DynamicUser, as in unprivileged()


def directives(section: str = "Service") -> list[tuple[str, str]]:
    """Key-value lines of one section, in order; keys may repeat (Environment=)."""
    found, current = [], None
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
        elif line and not line.startswith("#") and current == section:
            key, _, value = line.partition("=")
            found.append((key, value))
    return found


def values(key: str) -> list[str]:
    return [value for k, value in directives() if k == key]


def environment() -> dict[str, str]:
    return dict(line.split("=", 1) for line in values("Environment"))


def credentials() -> dict[str, str]:
    """LoadCredential=ID:PATH lines, by ID."""
    return dict(line.split(":", 1) for line in values("LoadCredential"))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_finds_nothing(tmp_path: Path) -> None:
    # The unit as installed, but with a slotguard that exists on this machine: verify
    # checks that the command is executable.
    exe = shutil.which("slotguard", path=os.path.dirname(os.sys.executable))
    assert exe is not None
    unit = tmp_path / "slotguard.service"
    unit.write_text(UNIT.read_text().replace("/opt/slotguard/bin/slotguard", exe))
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)],
                          capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    # verify exits 0 for unknown keys and bad values too: every line it prints is a finding.
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_dynamic_user_stable_replica_id_and_reload() -> None:
    assert values("DynamicUser") == ["yes"]
    assert values("StateDirectory") == ["slotguard"]
    assert environment()["SLOTGUARD_STATE_DIR"] == "/var/lib/slotguard"
    assert environment()["SLOTGUARD_REPLICA_ID"] == "%H"  # the host's name
    assert values("ExecReload") == ["kill -HUP $MAINPID"]
    assert values("ExecStart") == ["/opt/slotguard/bin/slotguard run"]
    assert values("RestartPreventExitStatus") == [str(exit_codes.BAD_INPUT)]


def test_every_variable_is_a_setting_and_every_credential_is_used() -> None:
    known = {f"SLOTGUARD_{name.upper()}" for name in Settings.model_fields}
    assert set(environment()) <= known
    by_path = set(re.findall(r"%d/([\w.-]+)", " ".join(environment().values())))
    for name, source in credentials().items():
        # A credential is either a setting's value or a file a setting names by path.
        assert name in known or name in by_path, name
        assert source.startswith("/etc/slotguard/credentials/")
    assert by_path <= set(credentials())
    assert "SLOTGUARD_CLIENT_SECRET" not in environment()  # secrets only as credentials


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder the service user may walk into, as into /etc and /run (pytest's tmp_path
    is root's own), and the working directory."""
    path = Path(tempfile.mkdtemp(prefix="slotguard-unit-"))
    path.chmod(0o755)
    monkeypatch.chdir(path)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="playing systemd takes root (chown)")
def test_the_dynamic_user_reads_the_certificate_through_its_credential(
        check_config: CheckConfig, shared: Path) -> None:
    tmp_path = shared
    private, certificate = _certificate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()) + certificate.public_bytes(
        serialization.Encoding.PEM)
    # What the admin made: root's own, 0400, in a 0700 folder.
    secrets = tmp_path / "etc-credentials"
    secrets.mkdir(mode=0o700)
    (name, source), = credentials().items()
    original = secrets / Path(source).name
    original.write_bytes(pem)
    original.chmod(0o400)
    # What systemd makes of LoadCredential=: a copy the service's user alone can read.
    given = tmp_path / "run-credentials"
    given.mkdir(mode=0o500)
    (given / name).write_bytes(pem)
    (given / name).chmod(0o400)
    os.chown(given / name, SERVICE_USER, SERVICE_USER)
    os.chown(given, SERVICE_USER, SERVICE_USER)
    rules = tmp_path / "slotguard.toml"
    rules.write_text(example_rules_text())
    rules.chmod(0o644)
    (tmp_path / "state").mkdir()
    os.chown(tmp_path / "state", SERVICE_USER, SERVICE_USER)  # StateDirectory=
    unit_env = {k: v.replace("%d", str(given)) for k, v in environment().items()}
    env = {**unit_env, "CREDENTIALS_DIRECTORY": str(given), "SLOTGUARD_RULES_FILE": str(rules),
           "SLOTGUARD_STATE_DIR": str(tmp_path / "state"),
           "SLOTGUARD_TENANT_ID": "contoso.onmicrosoft.com",
           "SLOTGUARD_CLIENT_ID": "5b8e9c21-6d4f-4a3b-8e7d-2c1b0a9f8e7d"}
    # The old guide's way: the certificate's own path. As root, check-config passes...
    direct = {**env, "SLOTGUARD_CLIENT_CERTIFICATE_PATH": str(original)}
    assert check_config(direct)[0] == 0
    with unprivileged():  # as uid 65534, the unit's dynamic user here
        code, out, err = check_config(env)
        # ... while the service's user cannot read the file.
        old_code, _, old_err = check_config(direct)
    assert (code, err) == (0, ""), err
    assert f"certificate {given / name}" in out
    assert old_code == exit_codes.BAD_INPUT
    (problem,) = [json.loads(line)["problem"] for line in old_err.splitlines()]  # JSON logs
    assert problem.startswith(f"SLOTGUARD_CLIENT_CERTIFICATE_PATH: cannot read {original}")
