"""The deploy files as shipped: their settings through check-config, as each runtime would
start slotguard, on this machine (paths that belong to the runtime moved into a temporary
folder). Nothing here builds an image or needs a cluster."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from slotguard.entrypoints.cli import config_cmd

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"

CheckConfig = Callable[[dict[str, str]], tuple[int, str, str]]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SLOTGUARD_* of the machine's, no stray .env, no credentials directory."""
    for name in list(os.environ):
        if name.upper().startswith("SLOTGUARD_") or name == "CREDENTIALS_DIRECTORY":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def check_config(tmp_path: Path) -> CheckConfig:
    """``slotguard check-config`` with exactly these variables (the runtime's), the state
    directory moved into tmp_path unless they name one. Returns exit code, stdout and
    stderr."""
    app = typer.Typer()
    config_cmd.register(app)

    def run(env: dict[str, str]) -> tuple[int, str, str]:
        env = {"SLOTGUARD_STATE_DIR": str(tmp_path / "state"), **env, "COLUMNS": "200"}
        result = CliRunner().invoke(app, ["check-config"], env=env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return run
