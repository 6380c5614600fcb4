"""The benchmark scripts stay runnable: each imports and shows its options (a full run is
minutes long and lives in BENCHMARKS.md, not here)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = [
    "import.py",
    "outbound.py",
    "webhooks.py",
    "ussd.py",
    "closure.py",
    "scheduler.py",
    "broadcast.py",
    "dashboard.py",
    "soak.py",
    "run_all.py",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_script_starts(script):
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "usage:" in done.stdout, done.stderr
