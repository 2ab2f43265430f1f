"""Kernels forked from the zygote behave as fresh kernels, and runs give the same tables.

A forked kernel must start with the libraries imported and nothing else in common with its
siblings: its own random streams, process group, working directory and environment, and the
plotting backend chosen as a fresh kernel would choose it.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import nbformat
import pytest
from _processes import gone
from nbformat.v4 import new_code_cell, new_notebook

from cvmkit._zygote import Zygote, fork_supported, forked_kernel_manager
from cvmkit.pipeline import KERNEL_ENV, notebook_imports, run_study

pytestmark = pytest.mark.skipif(not fork_supported(), reason="kernels are forked on Linux only")

PROBE = """
import json, os, random, sys
before = sorted(m for m in ("pandas", "scipy.stats", "matplotlib.pyplot", "seaborn")
                if m in sys.modules)
import numpy as np
import matplotlib
print(json.dumps({"before": before, "np": np.random.rand(), "py": random.random(),
                  "backend": matplotlib.get_backend(), "cwd": os.getcwd(), "pid": os.getpid(),
                  "pgid": os.getpgid(0), "probe": os.environ.get("CVMKIT_PROBE"),
                  "hashseed": os.environ.get("PYTHONHASHSEED"),
                  "names": sorted(k for k in globals() if not k.startswith("_"))}))
"""


def _run_in_kernel(zygote: Zygote, cwd: Path, env: dict, code: str) -> list[dict]:
    """Run ``code`` in a kernel forked from ``zygote``; the IOPub messages it produced."""
    km = forked_kernel_manager(zygote, kernel_name="python3")
    asyncio.run(km.start_kernel(cwd=str(cwd), env=env))
    kc = km.blocking_client()
    kc.start_channels()
    messages: list[dict] = []
    try:
        kc.wait_for_ready(timeout=60)
        reply = kc.execute_interactive(code, output_hook=messages.append, timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        asyncio.run(km.shutdown_kernel(now=True))
    return messages


def _probe(zygote: Zygote, cwd: Path, env: dict) -> dict:
    messages = _run_in_kernel(zygote, cwd, env, PROBE)
    return json.loads("".join(m["content"]["text"] for m in messages
                              if m["msg_type"] == "stream"))


@pytest.fixture(scope="module")
def zygote():
    env = {**os.environ, **KERNEL_ENV}
    env.pop("MPLBACKEND", None)
    z = Zygote(["numpy", "pandas", "scipy.stats", "matplotlib", "matplotlib.pyplot",
                "seaborn"], env)
    yield z, env
    z.close()


def test_forked_kernels_are_fresh_kernels(zygote, tmp_path: Path) -> None:
    z, env = zygote
    a = _probe(z, tmp_path, {**env, "CVMKIT_PROBE": "a"})
    (tmp_path / "b").mkdir()
    b = _probe(z, tmp_path / "b", {**env, "CVMKIT_PROBE": "b"})
    # the libraries were there already, pyplot and seaborn included, but no plotting backend:
    # it is chosen here
    assert a["before"] == ["matplotlib.pyplot", "pandas", "scipy.stats", "seaborn"]
    assert a["backend"] == "module://matplotlib_inline.backend_inline"
    # each its own random streams, process group, folder and environment
    assert a["np"] != b["np"] and a["py"] != b["py"]
    assert a["pid"] != b["pid"] and a["pgid"] == a["pid"] and b["pgid"] == b["pid"]
    assert (a["cwd"], b["cwd"]) == (str(tmp_path), str(tmp_path / "b"))
    assert (a["probe"], b["probe"]) == ("a", "b") and a["hashseed"] == "0"
    assert "np" in a["names"] and "z" not in a["names"] and "first" not in a["names"]


def test_forked_kernel_shows_figures_inline(zygote, tmp_path: Path) -> None:
    z, env = zygote
    shown = _run_in_kernel(z, tmp_path, env, "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])")
    images = [m for m in shown if m["msg_type"] == "display_data"
              and "image/png" in m["content"]["data"]]
    assert len(images) == 1  # drawn by the inline backend at the end of the cell


def test_kernels_exit_with_their_zygote(tmp_path: Path) -> None:
    """A run that dies leaves no kernel behind: the zygote exits with it, and its kernels
    follow."""
    import time

    env = {**os.environ, **KERNEL_ENV}
    z = Zygote(["numpy"], env)
    km = forked_kernel_manager(z, kernel_name="python3")
    asyncio.run(km.start_kernel(cwd=str(tmp_path), env=env))
    pid = km.provisioner.pid
    kc = km.blocking_client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
    finally:
        kc.stop_channels()
    z.close()  # as when the process that started the zygote is gone
    deadline = time.monotonic() + 10
    while km.provisioner.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert km.provisioner.process.poll() is not None, f"kernel {pid} outlived its zygote"


def test_backend_follows_mplbackend(zygote, tmp_path: Path) -> None:
    z, env = zygote
    assert _probe(z, tmp_path, {**env, "MPLBACKEND": "Agg"})["backend"].lower() == "agg"


def _notebook(path: Path, *sources: str) -> None:
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, str(path))


def test_forked_and_fresh_kernels_give_the_same_tables(tmp_path: Path, repo: Path) -> None:
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    _notebook(nbs / "01_tables.ipynb",
              'run_dir = "x"\nseed = 1',
              "import numpy as np, pandas as pd\nfrom cvmkit.io import write_table\n"
              "rng = np.random.default_rng(seed)\n"
              "t = pd.DataFrame({'x': rng.normal(size=50), 'k': list('ab') * 25})\n"
              "write_table(run_dir, '01_tables', 'draws', t)\n"
              "write_table(run_dir, '01_tables', 'means', t.groupby('k').mean().reset_index())")
    assert notebook_imports(nbs / "01_tables.ipynb") == ["numpy", "pandas",
                                                         "cvmkit.io.write_table", "cvmkit.io"]
    runs = [run_study(repo / "data" / "demo" / "study.yaml", out=tmp_path / "out",
                      notebooks_dir=nbs, run_id=f"fork-{fork}", progress=None,
                      build_report=False, fork_kernels=fork) for fork in (True, False)]
    tables = [sorted((r.run_dir / "tables").glob("*.csv")) for r in runs]
    assert [p.name for p in tables[0]] == ["01_tables__draws.csv", "01_tables__means.csv"]
    assert [p.read_bytes() for p in tables[0]] == [p.read_bytes() for p in tables[1]]


def test_runs_of_a_batch_share_a_zygote(tmp_path: Path) -> None:
    """Inside a batch the runs fork their kernels from one zygote, closed when the batch ends;
    a run started on its own gets a zygote of its own (the libraries as they are then)."""
    from cvmkit.pipeline import _KernelPool, _sharing_zygotes

    def pool_zygote() -> Zygote:
        pool = _KernelPool("python3", tmp_path, [["numpy"]])
        pool.stop(pool.take())
        zygote = pool.zygote
        pool.close()
        return zygote

    with _sharing_zygotes():
        first, second = pool_zygote(), pool_zygote()
        assert first is second and first.proc.poll() is None  # kept open for the next run
    assert first.proc.wait(timeout=10) is not None  # closed with the batch
    alone = pool_zygote()
    assert alone is not first and alone.proc.wait(timeout=10) is not None


def test_a_serving_zygote_forks_kernels_for_attached_processes(tmp_path: Path) -> None:
    """The zygote a batch starts serves its worker processes too (here: a second handle)."""
    env = {**os.environ, **KERNEL_ENV}
    env.pop("MPLBACKEND", None)
    address = str(tmp_path / "socket")
    owner = Zygote(["numpy", "pandas"], env, serve=address)
    try:
        worker = Zygote.attach(address, env)
        assert {"numpy", "pandas"} <= set(worker.imported)
        probe = _probe(worker, tmp_path, {**env, "CVMKIT_PROBE": "w"})
        assert probe["probe"] == "w" and "pandas" in probe["before"]
        worker.close()  # a worker leaving does not stop the zygote
        assert owner.alive()
        assert _probe(owner, tmp_path, env)["pid"] != probe["pid"]
    finally:
        owner.close()
    assert not Path(address).exists()  # the socket goes with the zygote
    with pytest.raises(OSError):
        Zygote.attach(address, env, wait=0.2)


_STARTER = """
import asyncio, json, os, sys
from cvmkit._zygote import Zygote, forked_kernel_manager
address, cwd = sys.argv[1], sys.argv[2]
env = json.loads(sys.stdin.read())
server = Zygote.serving(address, ["numpy"], env, idle=float(sys.argv[3]))
km = forked_kernel_manager(server, kernel_name="python3")
asyncio.run(km.start_kernel(cwd=cwd, env=env))
print(json.dumps({"started": server.started, "server": server.server_pid,
                  "kernel": km.provisioner.pid}), flush=True)
os._exit(0)  # gone without stopping its kernel, as a run that is killed
"""


def test_a_kernel_server_outlives_its_run_but_not_its_time(tmp_path: Path) -> None:
    """A kernel server (``cvmkit run --reuse``) stays for the next run, kills the kernels of
    a run that has gone, forks fresh kernels in the next run's folder, and ends once no run
    has used it for its idle time, taking its socket with it."""
    import shutil
    import subprocess
    import sys
    import tempfile

    env = {**os.environ, **KERNEL_ENV}
    env.pop("MPLBACKEND", None)
    folder = tempfile.mkdtemp(prefix="cvmkit-test-")  # short: a socket path has a limit
    address = os.path.join(folder, "kernels.sock")
    proc = subprocess.run([sys.executable, "-c", _STARTER, address, str(tmp_path), "3"],
                          input=json.dumps(env), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    first = json.loads(proc.stdout)
    assert first["started"] is True
    assert gone([first["kernel"]], 10), "the kernel of a run that died was left running"
    os.kill(first["server"], 0)  # the server itself stays

    again = Zygote.serving(address, ["numpy"], env, idle=3)
    try:
        assert again.started is False and again.server_pid == first["server"]
        probe = _probe(again, tmp_path, {**env, "CVMKIT_PROBE": "next"})
        assert probe["probe"] == "next" and probe["cwd"] == str(tmp_path)
        assert probe["pid"] != first["kernel"]
    finally:
        again.close()
    assert gone([first["server"]], 15), "the kernel server did not end after its idle time"
    assert not os.path.exists(address)
    shutil.rmtree(folder)


def test_kernel_server_address_follows_what_kernels_would_see(monkeypatch, tmp_path) -> None:
    """Another environment or other modules mean another server; a shell's bookkeeping
    variables do not; the folder is private; the idle time is checked."""
    from cvmkit.errors import CvmkitError
    from cvmkit.pipeline.kernels import server_address, server_minutes

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    env = {"PATH": "/usr/bin", "PWD": "/a", "CVMKIT_THREADS": "1"}
    base = server_address(["numpy"], env)
    assert server_address(["numpy"], {**env, "PWD": "/b", "OLDPWD": "/c"}) == base
    assert server_address(["numpy"], {**env, "CVMKIT_THREADS": "2"}) != base
    assert server_address(["numpy", "pandas"], env) != base
    folder = Path(base).parent
    assert folder.parent == tmp_path and folder.stat().st_mode & 0o777 == 0o700

    monkeypatch.setenv("CVMKIT_KERNEL_SERVER_MINUTES", "2.5")
    assert server_minutes() == 2.5
    monkeypatch.setenv("CVMKIT_KERNEL_SERVER_MINUTES", "soon")
    with pytest.raises(CvmkitError, match="CVMKIT_KERNEL_SERVER_MINUTES"):
        server_minutes()
