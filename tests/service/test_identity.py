"""The default replica id: the same for a process and its restarted successor, never shared
by two processes of one state directory at once."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from slotguard.entrypoints.identity import claim_identity, stable_replica_id

HOLD = """
import sys, time
from pathlib import Path
from slotguard.entrypoints.identity import claim_identity
me = claim_identity(Path(sys.argv[1]), None)
print(me.replica, flush=True)
time.sleep(60)
"""


def test_a_second_process_of_the_state_dir_is_a_replica_of_its_own(tmp_path: Path) -> None:
    first = claim_identity(tmp_path, None)
    second = claim_identity(tmp_path, None)
    assert first.replica == stable_replica_id(tmp_path)
    assert second.replica.startswith(first.replica + "-") and second.replica != first.replica
    first.release()
    second.release()
    again = claim_identity(tmp_path, None)
    assert again.replica == first.replica
    again.release()


def test_a_killed_process_leaves_its_id_to_the_next(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == stable_replica_id(tmp_path)
        beside = claim_identity(tmp_path, None)
        assert beside.replica != stable_replica_id(tmp_path)  # the holder still runs
        beside.release()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
    successor = claim_identity(tmp_path, None)
    assert successor.replica == stable_replica_id(tmp_path)
    successor.release()


def test_a_configured_id_is_used_as_given(tmp_path: Path) -> None:
    assert claim_identity(tmp_path, "replica-7").replica == "replica-7"


def test_the_id_differs_per_state_directory(tmp_path: Path) -> None:
    assert stable_replica_id(tmp_path / "a") != stable_replica_id(tmp_path / "b")
