"""The linter configuration in pyproject.toml holds for the whole tree (ruff: pyflakes, pycodestyle, blind excepts)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff not installed: pip install -r requirements.txt")
    done = subprocess.run([ruff, "check", "--no-cache", "--output-format", "concise", str(ROOT)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_can_fail(tmp_path):
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff not installed")
    (tmp_path / "bad.py").write_text("import os\ntry:\n    pass\nexcept Exception:\n    pass\n")
    done = subprocess.run([ruff, "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "F401" in done.stdout and "BLE001" in done.stdout, done.stdout
    assert sys.version_info >= (3, 11)
