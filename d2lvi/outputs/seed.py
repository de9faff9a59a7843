"""Seeded Jupyter kernels: an IPython directory whose startup file seeds every RNG."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

STARTUP = Path(__file__).parent / "kernel" / "00-d2lvi-seed.py"


def seeded_ipython_dir(root: Path) -> Path:
    """Create an IPython directory under ``root`` whose startup file seeds the RNGs."""
    profile = root / "profile_default"
    (profile / "startup").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STARTUP, profile / "startup" / STARTUP.name)
    # No history database: kernels must leave nothing behind. Kernel-app warnings (ipykernel
    # 7 warns on every start that a local TCP kernel is unencrypted) are not the chapter's
    # output and only bury real messages; errors still show.
    (profile / "ipython_kernel_config.py").write_text(
        "c.HistoryManager.enabled = False\nc.IPKernelApp.log_level = 'ERROR'\n"
    )
    return root


def use_seeded_kernels(root: Path) -> None:
    """Make every kernel started by this process (and its children) seeded."""
    os.environ["IPYTHONDIR"] = str(seeded_ipython_dir(root))
