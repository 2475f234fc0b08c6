"""deploy/Dockerfile and the lock it installs from. No Docker engine runs here, so what can
be checked without one is: hadolint finds nothing, the base image is pinned, the lock
matches pyproject.toml and carries hashes, and the image's install steps — the lock with
--require-hashes, then slotguard without build isolation — work in a fresh virtualenv."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from tests.deploy.conftest import DEPLOY, ROOT

DOCKERFILE = DEPLOY / "Dockerfile"
LOCK = DEPLOY / "requirements.lock"
HADOLINT = Path(sys.executable).parent / "hadolint"
_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(HADOLINT), "--no-color", str(path)], capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_hadolint_finds_nothing() -> None:
    done = hadolint(DOCKERFILE)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_hadolint_does_look(tmp_path: Path) -> None:
    unpinned = tmp_path / "Dockerfile"
    unpinned.write_text("FROM python:3.11.14-slim\nRUN pip install requests\n")
    assert "DL3013" in hadolint(unpinned).stdout


def test_the_image_is_pinned_and_serves_its_endpoints() -> None:
    text = DOCKERFILE.read_text()
    (base,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+@sha256:[0-9a-f]{64}", base), base
    assert re.findall(r"^FROM (\S+)", text, re.M) == ["${PYTHON_IMAGE}", "${PYTHON_IMAGE}"]
    assert "--require-hashes" in text and "/tmp/requirements.lock" in text
    assert "SLOTGUARD_HTTP_LISTEN=0.0.0.0:9180" in text
    assert re.search(r"^EXPOSE 9180$", text, re.M)
    assert re.search(r'^\s+CMD \["slotguard", "health"\]$', text, re.M)
    assert re.search(r"^USER 10001:10001$", text, re.M)


def pins() -> dict[str, str]:
    found = {}
    for line in LOCK.read_text().splitlines():
        if match := _PIN.match(line):
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def test_the_lock_pins_what_pyproject_asks_for() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [*project["project"]["dependencies"],
              *project["project"]["optional-dependencies"]["postgres"],
              *project["build-system"]["requires"]]
    locked = pins()
    for spec in map(Requirement, wanted):
        name = canonicalize_name(spec.name)
        assert name in locked, f"{spec.name} is not in the lock; run scripts/lock.py"
        assert spec.specifier.contains(locked[name], prereleases=True), (
            f"{spec.name}=={locked[name]} does not satisfy {spec}; run scripts/lock.py")


def test_every_pin_has_a_hash() -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text())
    pinned = [b for b in blocks if _PIN.match(b)]
    assert len(pinned) == len(pins()) > 20
    assert all("--hash=sha256:" in block for block in pinned)


@pytest.mark.slow
def test_the_image_install_steps_work_in_a_fresh_virtualenv(tmp_path: Path) -> None:
    """The build stage's RUN lines, in a virtualenv of this Python (the image's minor)."""
    assert sys.version_info[:2] == (3, 11)  # what the lock and the image are for
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "--disable-pip-version-check",
           "--quiet"]
    steps = [
        [*pip, "install", "--no-compile", "--require-hashes", "--no-deps", "--requirement",
         str(LOCK)],
        [*pip, "install", "--no-deps", "--no-build-isolation", str(ROOT)],
        [*pip, "check"],
        [str(env_dir / "bin" / "slotguard"), "--version"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=900,
                              stdin=subprocess.DEVNULL, cwd=tmp_path)
        assert done.returncode == 0, (step, done.stdout[-2000:], done.stderr[-2000:])
    assert done.stdout.startswith("slotguard ")
