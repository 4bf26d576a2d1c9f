"""Scratch folders: a killed process's folder is removed by the next run of its kind, a
running process's and another host's are kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from attrdb.scratch import make_dir, scratch_dir, sweep_stale


def _killed_process_folder(root: Path, kind: str) -> Path:
    """A folder made by a child process that is then killed with SIGKILL (no cleanup runs)."""
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from attrdb.scratch import make_dir; "
         f"print(make_dir({kind!r}, Path(sys.argv[1])), flush=True); time.sleep(60)",
         str(root)],
        stdout=subprocess.PIPE, text=True,
    )
    assert child.stdout is not None
    folder = Path(child.stdout.readline().strip())
    (folder / "features.npy").write_bytes(b"\0" * 1024)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    return folder


def test_a_killed_runs_folder_is_swept_by_the_next_run(tmp_path: Path) -> None:
    left = _killed_process_folder(tmp_path, "visualness")
    other_kind = _killed_process_folder(tmp_path, "explorer")
    elsewhere = tmp_path / "attrdb-visualness-otherhost-1-abc"  # another container's
    elsewhere.mkdir()
    assert left.exists() and other_kind.exists()
    mine = make_dir("visualness", tmp_path)
    assert not left.exists()
    assert other_kind.exists()  # only the kind being made is swept
    assert elsewhere.exists()
    with scratch_dir("visualness", tmp_path) as current:
        assert current.is_dir()
        assert mine.exists()  # its process (this one) still runs
    assert not current.exists()
    assert sweep_stale("explorer", tmp_path) == [other_kind]
    assert mine.exists() and elsewhere.exists()
