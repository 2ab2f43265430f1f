"""Runs meeting faults: Ctrl-C and kill -9 (also during a hung cell), stale build folders,
an output folder that cannot be written, a full disk, a bad study in a batch.

The runs here use two tiny notebooks (no analysis), so each costs a kernel start or two.  A
cell "hangs" in a regular expression that backtracks for ever: it never lets the interpreter
go, as the runaway patterns of a code frame would not.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from _processes import gone
from nbformat.v4 import new_code_cell, new_notebook

from cvmkit.cli import main
from cvmkit.errors import PipelineError
from cvmkit.pipeline import run_study
from cvmkit.pipeline.folders import LOCK, clean_stale

_PARAMS = "study_path = None\ndata_path = None\nrun_dir = None\nseed = 0\n"
#: Writes its kernel's and zygote's pids, then hangs when the study's folder holds ``hang``.
_HANG = """
import os, re
from pathlib import Path
Path(run_dir, "pids").write_text(f"{os.getpid()} {os.getppid()}")
if (Path(study_path).parent / "hang").exists():
    re.match(r"(a+)+$", "a" * 64 + "b")
"""


def _notebook(path: Path, *sources: str) -> None:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cell = new_code_cell(_PARAMS)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, *(new_code_cell(s) for s in sources)]
    nbformat.write(nb, str(path))


@pytest.fixture()
def tiny(tmp_path: Path, repo: Path) -> dict[str, Path]:
    """A copy of the demo study and two tiny notebooks (the second may hang)."""
    study_dir = tmp_path / "study"
    study_dir.mkdir()
    for name in ("study.yaml", "responses.csv"):
        shutil.copyfile(repo / "data" / "demo" / name, study_dir / name)
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    _notebook(nbs / "01_first.ipynb", "from pathlib import Path\n"
              "Path(run_dir, 'first.txt').write_text('done')")
    _notebook(nbs / "02_hang.ipynb", _HANG)
    return {"study": study_dir / "study.yaml", "notebooks": nbs, "out": tmp_path / "out"}


def _checksums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def _start(tiny: dict[str, Path]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cvmkit.cli", "run", str(tiny["study"]), "--notebooks",
         str(tiny["notebooks"]), "--out", str(tiny["out"])],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _hung_pids(tiny: dict[str, Path], proc: subprocess.Popen, timeout: float = 60) -> list[int]:
    """Wait until the second notebook's cell hangs; the kernel's and the zygote's pids."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pids in (tiny["out"] / "demo").glob(".*.partial/pids"):
            text = pids.read_text()
            if text and (pids.parent / "first.txt").exists():
                time.sleep(0.5)  # in the regular expression by now
                return [int(p) for p in text.split()]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    raise AssertionError("the run never reached its hanging cell")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and /proc")
def test_ctrl_c_in_a_hung_cell(tiny: dict[str, Path]) -> None:
    (tiny["study"].parent / "hang").touch()
    before = _checksums(tiny["study"].parent)
    proc = _start(tiny)
    pids = _hung_pids(tiny, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "interrupted while notebook 02_hang.ipynb was running" in lines[0]
    assert "Traceback" not in out + err
    assert gone(pids), "a kernel or the zygote outlived the run"
    runs = list((tiny["out"] / "demo").iterdir())
    assert len(runs) == 1 and runs[0].name.endswith("-FAILED"), runs
    manifest = json.loads((runs[0] / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert manifest["running"] == "02_hang.ipynb"
    assert not (runs[0] / LOCK).exists()
    assert _checksums(tiny["study"].parent) == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and /proc")
def test_kill_9_in_a_hung_cell_then_the_next_run(tiny: dict[str, Path]) -> None:
    (tiny["study"].parent / "hang").touch()
    before = _checksums(tiny["study"].parent)
    proc = _start(tiny)
    pids = _hung_pids(tiny, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert gone(pids), "a kernel or the zygote outlived the killed run"
    left = list((tiny["out"] / "demo").iterdir())
    assert len(left) == 1 and left[0].name.startswith("."), left  # nothing looks complete
    assert not (left[0] / "manifest.json").exists()
    assert _checksums(tiny["study"].parent) == before

    (tiny["study"].parent / "hang").unlink()
    result = run_study(tiny["study"], out=tiny["out"], notebooks_dir=tiny["notebooks"],
                       build_report=False, progress=None)
    assert result.status == "ok"
    assert [p.name for p in (tiny["out"] / "demo").iterdir()] == [result.run_dir.name]


def test_stale_build_folders_go_live_ones_stay(tmp_path: Path) -> None:
    import fcntl

    base = tmp_path / "demo"
    stale, live, old = (base / f".{n}.partial" for n in ("stale", "live", "old"))
    for d in (stale, live, old):
        d.mkdir(parents=True)
    (stale / LOCK).write_text("12345\n")  # its run is gone: nobody holds the lock
    fd = os.open(live / LOCK, os.O_CREAT | os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a run in progress
    os.utime(old, (time.time() - 3600, time.time() - 3600))  # never locked, long ago
    try:
        removed = clean_stale(base)
    finally:
        os.close(fd)
    assert sorted(p.name for p in removed) == [".old.partial", ".stale.partial"]
    assert [p.name for p in base.iterdir()] == [".live.partial"]


def _cli(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_out_onto_a_file_or_a_system_folder(tiny: dict[str, Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    for out in (blocker, blocker / "below", Path("/proc/cvmkit-reports")):
        code, text = _cli(["run", str(tiny["study"]), "--notebooks", str(tiny["notebooks"]),
                           "--out", str(out)], capsys)
        assert code == 1, text
        assert "cannot write the run in folder" in text and str(out) in text, text
        assert "Traceback" not in text
    assert blocker.read_text() == "not a folder"


def test_unwritable_out_folder(tiny: dict[str, Path], tmp_path: Path, monkeypatch,
                               capsys: pytest.CaptureFixture) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    # (the tests may run as root, whom file modes do not stop: the check is made to fail)
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p).startswith(
        str(locked)) else real_access(p, mode, **kw))
    code, text = _cli(["run", str(tiny["study"]), "--notebooks", str(tiny["notebooks"]),
                       "--out", str(locked)], capsys)
    assert code == 1
    assert f"cannot write the run in folder '{locked / 'demo'}': permission denied" in text
    assert "Traceback" not in text


def test_full_disk_fails_with_the_folder_named(tiny: dict[str, Path], monkeypatch,
                                               capsys: pytest.CaptureFixture) -> None:
    import cvmkit.pipeline.run as run_module

    def full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(run_module, "atomic_write_text", full)
    code, text = _cli(["run", str(tiny["study"]), "--notebooks", str(tiny["notebooks"]),
                       "--out", str(tiny["out"])], capsys)
    assert code == 1
    assert f"cannot write the run in folder '{tiny['out'].resolve() / 'demo'}'" in text
    assert "no space left on the device" in text and "Traceback" not in text
    runs = list((tiny["out"] / "demo").iterdir())
    assert len(runs) == 1 and runs[0].name.endswith("-FAILED")  # never left hidden
    with pytest.raises(PipelineError, match="no space left"):
        run_study(tiny["study"], out=tiny["out"], notebooks_dir=tiny["notebooks"],
                  progress=None)


def test_disk_full_while_a_notebook_is_saved(tiny: dict[str, Path], monkeypatch) -> None:
    import papermill

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "02_hang.ipynb")

    monkeypatch.setattr(papermill, "execute_notebook", full)
    with pytest.raises(PipelineError) as caught:
        run_study(tiny["study"], out=tiny["out"], notebooks_dir=tiny["notebooks"],
                  build_report=False, progress=None)
    message = str(caught.value)
    assert "notebook 01_first.ipynb could not be saved: cannot write the run in folder" in message
    assert "no space left on the device" in message
    failed = caught.value.run_dir
    assert failed.name.endswith("-FAILED")
    assert json.loads((failed / "manifest.json").read_text())["status"] == "failed"


def test_data_path_parameter_is_the_data_recorded(tiny: dict[str, Path], tmp_path: Path
                                                  ) -> None:
    other = tmp_path / "other.csv"
    shutil.copyfile(tiny["study"].parent / "responses.csv", other)
    with other.open("a") as fh:
        fh.write("\n")
    result = run_study(tiny["study"], out=tiny["out"], notebooks_dir=tiny["notebooks"],
                       parameters={"data_path": str(other)}, build_report=False,
                       progress=None)
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    assert manifest["inputs"]["data"] == {
        "path": str(other.resolve()), "sha256": hashlib.sha256(other.read_bytes()).hexdigest()}
    assert manifest["parameters"]["data_path"] == str(other.resolve())
    assert all(nb["parameters"]["data_path"] == str(other.resolve())
               for nb in manifest["notebooks"])


def test_bad_study_in_a_batch_fails_alone(tiny: dict[str, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad" / "study.yaml"
    bad.parent.mkdir()
    bad.write_bytes("title: caf\xe9\nbrands: [\n".encode("latin-1"))
    missing = tiny["study"].parent / "missing.yaml"
    missing.write_text(tiny["study"].read_text().replace("attributes:", "attributes_x:", 1))
    code, text = _cli(["run", str(bad), str(tiny["study"]), str(missing), "-j", "2",
                       "--notebooks", str(tiny["notebooks"]), "--out", str(tiny["out"])],
                      capsys)
    assert code == 1 and "Traceback" not in text
    summary = text[text.rindex("\nstudy ") + 1:]
    rows = {ln.split()[1]: ln for ln in summary.splitlines()[1:]
            if ln.strip() and not ln.startswith(" ")}
    assert " ok " in rows[str(tiny["study"])]
    assert "FAILED" in rows[str(bad)] and "FAILED" in rows[str(missing)]
    assert "not UTF-8 text" in summary
    # every problem of a study file is shown, not only the first line
    assert "attributes_x: unknown key" in summary and "attributes: required" in summary
    assert "2 of 3 studies failed" in text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals")
@pytest.mark.parametrize("delay", [1.5, 4.0])
def test_ctrl_c_at_any_moment(tiny: dict[str, Path], delay: float) -> None:
    """Wherever Ctrl-C lands (start-up, the first notebook, the hung cell): one line, exit
    130, and no folder that looks like a complete run, hidden or not."""
    (tiny["study"].parent / "hang").touch()
    proc = _start(tiny)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert len([ln for ln in err.splitlines() if ln.strip()]) == 1, err
    assert "Traceback" not in out + err
    base = tiny["out"] / "demo"
    for run in base.iterdir() if base.is_dir() else []:
        assert run.name.endswith("-FAILED"), run
        assert json.loads((run / "manifest.json").read_text())["status"] == "interrupted"
