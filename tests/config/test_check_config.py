from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from slotguard.config.rules import example_rules_text
from slotguard.entrypoints.cli import config_cmd
from slotguard.entrypoints.cli.common import exit_on_config_error
from slotguard.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "src" / "slotguard" / "examples" / "slotguard.toml"
BROKEN = """
[organization]
internal_domains = ["contoso.com"]

[[teams]]
name = "Nordics"
sellers = ["anna.berg@contoso.com"]
  [[teams.blocks]]
  days = ["tue"]
  start = "08:00"
  end = "10:00"
  [[teams.blocks]]
  days = ["thu"]
  start = "08:00"
  end = "07:00"
"""


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    config_cmd.register(app)
    return app


def run(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    # Wide enough that tables do not wrap e-mail addresses.
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "160"})
    return result.exit_code, result.stdout, result.stderr


def test_the_shipped_example_passes_and_shows_sellers_and_blocks(app: typer.Typer) -> None:
    code, out, err = run(app, "check-config", "--rules", str(EXAMPLE))
    assert (code, err) == (0, "")
    for upn in ("anna.berg", "erik.holm", "sara.nyberg", "johan.ek"):
        assert f"{upn}@contoso.com" in out
    assert "Tue, Thu 08:00–10:00 Prospecting [0800-1000]" in out
    assert "3f2a5c1e-7b8d-4e21-9a0f-5d6c7b8a9e01" in out
    assert "Mon, Wed 09:00–11:00 Prospecting" in out
    assert "noah.price@contoso.com (override)" in out
    assert "Mon, Wed 13:00–15:00 Prospecting" in out
    assert "OK: 2 team(s)" in out


def test_default_rules_file_comes_from_settings(app: typer.Typer, clean_env: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / "team.toml").write_text(example_rules_text())
    monkeypatch.setenv("SLOTGUARD_RULES_FILE", str(clean_env / "team.toml"))
    code, out, _ = run(app, "check-config")
    assert code == 0 and "team.toml" in out


def test_a_broken_file_exits_2_with_one_line_per_problem(app: typer.Typer,
                                                          clean_env: Path) -> None:
    path = clean_env / "slotguard.toml"
    path.write_text(BROKEN.replace('"08:00"\n  end = "10:00"',
                                   '"08:00"\n  end = "10:00"\n  colour = "red"'))
    code, out, err = run(app, "check-config", "--rules", str(path))
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        "teams[0].blocks[0].colour: unknown key; remove it (allowed: days, start, end, title, id)",
        "teams[0].blocks[1].end: must be after start (08:00)",
    ]


def test_settings_problems_are_reported_with_rules_problems(
    app: typer.Typer, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLOTGUARD_CLOUD", "mars")
    monkeypatch.setenv("SLOTGUARD_CLIENT_SECRET", "never-printed-1234")
    (clean_env / "slotguard.toml").write_text(BROKEN)
    code, out, err = run(app, "check-config")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "SLOTGUARD_CLOUD: must be one of global, usgov, usgov-dod, china (got 'mars')",
        "teams[0].blocks[1].end: must be after start (08:00)",
    ]


def test_credentials_are_not_required_but_shown_without_values(
    app: typer.Typer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLOTGUARD_TENANT_ID", "7d3f1a62-2c4b-4c8e-9a55-1f0e2d3c4b5a")
    monkeypatch.setenv("SLOTGUARD_CLIENT_ID", "5b8e9c21-6d4f-4a3b-8e7d-2c1b0a9f8e7d")
    monkeypatch.setenv("SLOTGUARD_CLIENT_SECRET", "never-printed-1234")
    code, out, _ = run(app, "check-config", "--rules", str(EXAMPLE))
    assert code == 0
    assert "client secret" in out and "never-printed-1234" not in out
    assert "https://login.microsoftonline.com/7d3f1a62-2c4b-4c8e-9a55-1f0e2d3c4b5a" in out


def test_to_do_must_be_off_in_the_china_cloud(app: typer.Typer,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOTGUARD_CLOUD", "china")
    code, _, err = run(app, "check-config", "--rules", str(EXAMPLE))
    assert code == 2
    assert err.splitlines() == ["follow_up.enabled: Microsoft To Do is not available with "
                                "SLOTGUARD_CLOUD=china; set enabled = false"]


def test_missing_rules_file_is_a_problem_not_the_example(app: typer.Typer,
                                                         clean_env: Path) -> None:
    code, out, err = run(app, "check-config")
    assert code == 2 and out == ""
    assert err.startswith("slotguard.toml: no such rules file")


def test_example_rules_prints_the_packaged_file(app: typer.Typer) -> None:
    code, out, _ = run(app, "example-rules")
    assert code == 0 and out == EXAMPLE.read_text()


def test_shared_error_handling_turns_config_errors_into_exit_2() -> None:
    app = typer.Typer()

    @app.command()
    @exit_on_config_error
    def boom(name: str = "x") -> None:
        raise ConfigError([f"SLOTGUARD_X: bad {name}", "rules.y: also bad"])

    result = CliRunner().invoke(app, ["--name", "z"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["SLOTGUARD_X: bad z", "rules.y: also bad"]


def test_installed_command(clean_env: Path) -> None:
    """The console script itself, as an admin runs it."""
    script = Path(sys.executable).parent / "slotguard"
    if not script.exists():
        pytest.skip("slotguard console script not installed in this environment")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOTGUARD_")}
    ok = subprocess.run([str(script), "check-config", "--rules", str(EXAMPLE)], env=env,
                        capture_output=True, text=True, cwd=clean_env, timeout=60)
    assert ok.returncode == 0, ok.stderr
    (clean_env / "broken.toml").write_text(BROKEN)
    bad = subprocess.run([str(script), "check-config", "--rules", "broken.toml"], env=env,
                         capture_output=True, text=True, cwd=clean_env, timeout=60)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.splitlines() == ["teams[0].blocks[1].end: must be after start (08:00)"]


def test_unknown_slotguard_variables_are_warned_about(
    app: typer.Typer, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLOTGUARD_CLOUDD", "usgov")
    monkeypatch.setenv("SLOTGUARD_TEST_POSTGRES_URL", "postgresql://x")
    (clean_env / ".env").write_text("SLOTGUARD_DRYRUN=true\n")
    code, _, err = run(app, "check-config", "--rules", str(EXAMPLE))
    assert code == 0
    assert err.splitlines() == [
        "warning: SLOTGUARD_CLOUDD: not a slotguard setting and ignored; "
        "did you mean SLOTGUARD_CLOUD?",
        "warning: SLOTGUARD_DRYRUN: not a slotguard setting and ignored; "
        "did you mean SLOTGUARD_DRY_RUN?",
    ]


def test_the_state_directory_and_replica_id_are_shown_absolute(
        app: typer.Typer, clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOTGUARD_STATE_DIR", "state")
    code, out, _ = run(app, "check-config", "--rules", str(EXAMPLE))
    assert code == 0
    lines = {line.split(None, 2)[0] + " " + line.split(None, 2)[1]: line
             for line in out.splitlines() if line.startswith(("State directory", "Replica id"))}
    assert str(clean_env / "state") in lines["State directory"]
    assert "(stable for this host and state directory)" in lines["Replica id"]
    assert not (clean_env / "state").exists()  # shown, not created
