"""deploy/compose.yaml as shipped: valid against the Compose specification's JSON schema
(the copy check-jsonschema ships, vendor.compose-spec), every ${...} it uses given by the
example env file, slotguard's settings passing check-config, and healthchecks where
depends_on waits for them. Where Compose itself is installed, its `config` reads the file
too."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from dotenv import dotenv_values
from tests.deploy.conftest import DEPLOY, CheckConfig

from slotguard.config.rules import example_rules_text
from slotguard.config.settings import unknown_variables

COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / "compose.env.example"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
_VARIABLE = re.compile(r"\$\{(\w+)(?::?[-?+][^}]*)?\}")


def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


def example_env() -> dict[str, str]:
    return {k: v or "" for k, v in dotenv_values(ENV_EXAMPLE).items()}


def interpolated(value: str, env: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda m: env[m.group(1)], value)


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec",
                           str(path)], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_valid_against_the_compose_specification() -> None:
    done = validate(COMPOSE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_rejects_a_misspelt_key(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text(COMPOSE.read_text().replace("healthcheck:", "healthchek:", 1))
    assert validate(broken).returncode != 0


def test_every_variable_comes_from_the_example_env_file() -> None:
    used = set(_VARIABLE.findall(COMPOSE.read_text()))
    assert used and used <= set(example_env())
    # A missing one stops compose with the reason instead of an empty password.
    assert all(f"${{{name}:?" in COMPOSE.read_text() for name in used)


def test_slotguard_passes_check_config_with_the_composed_settings(
        check_config: CheckConfig, tmp_path: Path) -> None:
    env_file = example_env()
    service = compose()["services"]["slotguard"]
    assert service["env_file"] == ".env"
    environment = {k: interpolated(str(v), env_file) for k, v in service["environment"].items()}
    rules = tmp_path / "slotguard.toml"
    rules.write_text(example_rules_text())  # what the guide starts from: example-rules
    env = {**env_file, **environment, "SLOTGUARD_RULES_FILE": str(rules)}
    code, out, err = check_config(env)
    assert (code, err) == (0, ""), err
    assert "postgresql+psycopg://slotguard:***@postgres:5432/slotguard" in out
    assert "dry run" in out
    assert unknown_variables(env, env_file=None) == []


def test_postgresql_volumes_rules_and_healthchecks() -> None:
    data = compose()
    slotguard, postgres = data["services"]["slotguard"], data["services"]["postgres"]
    assert slotguard["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert slotguard["healthcheck"]["test"] == ["CMD", "slotguard", "health"]
    mounts = {m["target"]: m for m in slotguard["volumes"]}
    rules = mounts["/etc/slotguard/slotguard.toml"]  # SLOTGUARD_RULES_FILE in the image
    assert (rules["type"], rules["source"], rules["read_only"]) == ("bind", "./slotguard.toml",
                                                                     True)
    named = {m["source"] for s in data["services"].values() for m in s["volumes"]
             if m["type"] == "volume"}
    assert named == set(data["volumes"]) == {"slotguard-state", "postgres-data"}
    assert mounts["/var/lib/slotguard"]["source"] == "slotguard-state"
    assert slotguard["read_only"] is True and slotguard["cap_drop"] == ["ALL"]
    assert slotguard["ports"] == ["127.0.0.1:9180:9180"]
    assert slotguard["environment"]["SLOTGUARD_REPLICA_ID"]  # stable across recreations


def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True,
                                 timeout=60).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_config_reads_it(tmp_path: Path) -> None:
    """The admin's folder after the guide's first steps: .env from the example and a
    rules file beside compose.yaml."""
    command = _compose_command()
    if command is None:
        pytest.skip("neither docker compose nor docker-compose is installed")
    shutil.copy(COMPOSE, tmp_path / "compose.yaml")
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env")
    (tmp_path / "slotguard.toml").write_text(example_rules_text())
    done = subprocess.run([*command, "--file", str(tmp_path / "compose.yaml"), "config",
                           "--quiet"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
