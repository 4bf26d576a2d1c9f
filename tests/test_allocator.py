"""The allocator setting (attrdb.cnn.allocator) holds in every process a torch path runs in.

Checked functionally: a freed 64 MB block is reused without page faults only when the
setting is on (``reuse_faults``), in this process, in fresh interpreters entering through
each torch entry point, and in a DataLoader worker.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest
from torch.utils.data import DataLoader, Dataset

from attrdb.cnn import allocator

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="the setting is glibc's mallopt",
)

# Faults of re-allocating a freed 64 MB block: 0 measured with the setting; without it
# at least one per page: 32 with transparent 2 MB huge pages (seen in the full suite),
# 16,384 with 4 KiB pages.
KEPT_MAX = 16
# A freed 256 MB block re-allocated without the setting: at least 128 faults (2 MB pages).
UNKEPT_MB = 256


def test_setting_is_on_after_import_and_changes_page_faults() -> None:
    assert allocator.is_applied()
    assert allocator.reuse_faults() <= KEPT_MAX
    try:
        assert allocator.set_keep(False)
        assert allocator.reuse_faults(UNKEPT_MB) >= UNKEPT_MB // 2 > 4 * KEPT_MAX
    finally:
        assert allocator.set_keep(True)
    assert allocator.reuse_faults() <= KEPT_MAX


@pytest.mark.parametrize(
    "entry",
    ["attrdb.cnn.extract", "attrdb.saliency.stage", "attrdb.finetune", "attrdb.cnn.spark_extract"],
)
def test_every_torch_entry_point_applies_it(entry: str) -> None:
    code = (
        f"import {entry}\n"
        "from attrdb.cnn import allocator\n"
        "print(allocator.is_applied(), allocator.reuse_faults())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    applied, faults = done.stdout.split()
    assert applied == "True" and int(faults) <= KEPT_MAX


def test_environment_switch_leaves_the_allocator_alone() -> None:
    code = "import attrdb.cnn\nfrom attrdb.cnn import allocator\nprint(allocator.is_applied())\n"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "ATTRDB_MALLOC_KEEP": "0"},
    )
    assert done.stdout.strip() == "False"


class _Faults(Dataset):
    def __len__(self) -> int:
        return 1

    def __getitem__(self, index: int) -> tuple[int, bool, int]:
        return os.getpid(), allocator.is_applied(), allocator.reuse_faults()


def test_decoding_workers_inherit_it() -> None:
    loader = DataLoader(_Faults(), num_workers=1, batch_size=None)
    [(pid, applied, faults)] = list(loader)
    assert pid != os.getpid() and applied and int(faults) <= KEPT_MAX
