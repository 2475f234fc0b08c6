"""Mutation testing: how many deliberate mistakes in a package do its tests notice?

    .venv/bin/python scripts/mutation.py domain               # all mutants, from scratch
    .venv/bin/python scripts/mutation.py service graph        # one after the other
    .venv/bin/python scripts/mutation.py domain --report      # the last run's score, survivors
    .venv/bin/python scripts/mutation.py domain --survivors   # retry them with today's tests

Not part of `dev.py test`: a run takes minutes to hours. Each target runs mutmut in its own
working copy under .mutation/<name>/ (the source, the tests and a pyproject.toml with the
target's [tool.mutmut] section), so two targets can run side by side. mutmut records which
tests reach each mutated function and runs only those for a mutant.
docs/mutation-testing.md has the scores and the survivors judged equivalent.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
# Pinned: mutant names (``..._mutmut_12``) and the operators behind them change between
# releases, and docs/mutation-testing.md names survivors by them.
MUTMUT = "mutmut==3.8.1"
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout"}


@dataclass(frozen=True)
class Target:
    code: tuple[str, ...]  # globs under src/slotguard: what gets mutated
    tests: tuple[str, ...]


# Each package with the tests written for it, all in this process: mutmut swaps the
# package in this interpreter, so a test that starts its own slotguard process would test
# the unmutated copy. The end-to-end and fault suites reach service and graph too, but
# start a simulator per test: with them a run of either takes many hours on two cores.
TARGETS = {
    "domain": Target(("domain/*",), ("tests/domain",)),
    "service": Target(("service/*",), ("tests/service",)),
    "graph": Target(("graph/*",), ("tests/graph",)),
}


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def _prepare(name: str, target: Target) -> Path:
    """A fresh working copy: results of an earlier run would stand even where tests changed."""
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for folder in ("src", "tests"):
        shutil.copytree(ROOT / folder, work / folder,
                        ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
    section = "\n".join([
        "",
        "[tool.mutmut]",
        'source_paths = ["src/slotguard"]',
        f"only_mutate = {_toml_list([f'src/slotguard/{p}' for p in target.code])}",
        f"pytest_add_cli_args_test_selection = {_toml_list(list(target.tests))}",
        # A hung mutant waits on a socket or an event without burning CPU, which mutmut's
        # CPU-time limit does not notice; no test here needs more than a few seconds.
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "--timeout=30"]',
        # Fork each mutant from a process that imported the tests but ran none: a child of
        # the process that ran them all would inherit its warm memoisation caches
        # (blocks.resolve_local) and never reach the mutated code behind them.
        'process_isolation = "forkserver"',
        "use_git_change_detection = false",
        "",
    ])
    (work / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text() + section)
    return work


def _ensure_mutmut() -> Path:
    """mutmut in this virtualenv: only this script needs it, so dev.py does not install it."""
    mutmut = Path(sys.executable).parent / "mutmut"
    if not mutmut.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", MUTMUT], check=True)
    return mutmut


def _run(work: Path, children: int, mutants: list[str] | None = None) -> int:
    env = dict(os.environ, HYPOTHESIS_PROFILE="ci")
    mutmut = _ensure_mutmut()
    argv = [str(mutmut), "run", "--max-children", str(children), *(mutants or [])]
    return subprocess.call(argv, cwd=work, env=env)


def _retry_survivors(name: str, target: Target) -> Path:
    """The last run's working copy with today's tests, to try its survivors again."""
    work = WORK / name
    for copy in (work / "tests", work / "mutants" / "tests"):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(ROOT / "tests", copy,
                        ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
    return work


def _results(name: str, target: Target) -> dict[str, str]:
    results: dict[str, str] = {}
    mutants = WORK / name / "mutants"
    for pattern in target.code:
        for meta in sorted((mutants / "src" / "slotguard").glob(f"{pattern}.meta")):
            codes = json.loads(meta.read_text())["exit_code_by_key"]
            for key, code in sorted(codes.items()):
                results[key] = STATUS.get(code, "not checked" if code is None else "suspicious")
    return results


def _report(name: str, target: Target) -> None:
    results = _results(name, target)
    if not results:
        print(f"{name}: no results yet; run it first")
        return
    counts: dict[str, int] = {}
    for status in results.values():
        counts[status] = counts.get(status, 0) + 1
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    score = 100 * killed / len(results)
    print(f"{name}: {killed}/{len(results)} killed = {score:.1f}% ({summary})")
    for key, status in results.items():
        if status not in {"killed", "timeout"}:
            print(f"    {status:9} {key}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="+", choices=sorted(TARGETS))
    parser.add_argument("--report", action="store_true", help="print the last run's results only")
    parser.add_argument("--survivors", action="store_true",
                        help="try the last run's survivors again against the current tests")
    parser.add_argument("--children", type=int, default=2, help="parallel test processes (2)")
    args = parser.parse_args(argv)
    for name in args.targets:
        target = TARGETS[name]
        if args.survivors:
            left = [k for k, s in _results(name, target).items() if s == "survived"]
            code = _run(_retry_survivors(name, target), args.children, left) if left else 0
        elif not args.report:
            code = _run(_prepare(name, target), args.children)
        else:
            code = 0
        if code != 0:
            print(f"mutation.py: mutmut exited {code} for {name}", file=sys.stderr)
            return code
        _report(name, target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
