"""``make lab``: JupyterLab on working copies, for whoever runs it (root too), outputs kept
out of the committed notebooks.

The test starts ``make lab`` (its server on a free port), waits until JupyterLab serves,
stops it, then executes a working copy in place as "Run All" and a save would, and checks
that ``git status`` is what it was and the committed notebook unchanged.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None,
                                reason="needs make and git")


def _status(repo: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo,
                          capture_output=True, text=True, check=True).stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_opens_working_copies_and_git_stays_clean(repo: Path, tmp_path: Path) -> None:
    if not (repo / ".git").exists():
        pytest.skip("not a git checkout")
    before = _status(repo)
    committed = (repo / "notebooks" / "01_data_collection.ipynb").read_bytes()
    lab = tmp_path / "lab"
    args = (f"--no-browser --port={_free_port()} --ServerApp.port_retries=50 "
            "--IdentityProvider.token=cvmkit-test")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    # (-o: the set-up is done; this checkout's set-up stamp is not rebuilt here)
    proc = subprocess.Popen(["make", "-o", ".venv/.installed", "lab", f"LAB={lab}",
                             f"BIN={Path(sys.executable).parent}", f"LAB_ARGS={args}"],
                            cwd=repo, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if "is running at" in line:
                break
        assert any("is running at" in ln for ln in seen), "".join(seen)
        assert not any("Running as root is not recommended" in ln for ln in seen)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    copy = lab / "notebooks" / "01_data_collection.ipynb"
    assert copy.is_file()

    # "Run All", then save: the outputs go into the working copy only
    from nbclient import NotebookClient

    nb = nbformat.read(copy, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(copy.parent)}}).execute()
    nbformat.write(nb, copy)
    assert any(c.get("outputs") for c in nbformat.read(copy, as_version=4).cells
               if c.cell_type == "code")
    assert (lab / "run" / "clean.parquet").is_file()  # the copies' run folder
    assert (repo / "notebooks" / "01_data_collection.ipynb").read_bytes() == committed
    assert _status(repo) == before
