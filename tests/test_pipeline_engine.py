"""The engine's wait for a kernel: a kernel slow to start is waited for, not given up on.

A notebook's client asks the kernel for ``kernel_info`` once a second until it answers.  A
kernel that takes longer than that to start (a fresh environment compiling its imports, a
busy machine) finds several requests waiting and answers each; the wait must take any of
those answers, not only the answer to the request it sent last, or it stays one answer behind
for ever and gives up with "Kernel didn't respond".
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import pytest
from jupyter_client.manager import AsyncKernelManager

from cvmkit.pipeline.engine import _kernel_ready

#: A kernel that sleeps before it starts (as one importing from a cold environment does).
SLOW_KERNEL = ("import sys, time; time.sleep(float(sys.argv[1])); "
               "from ipykernel import kernelapp; kernelapp.launch_new_instance(sys.argv[2:])")


def _slow_kernel_spec(folder: Path, seconds: float) -> None:
    spec = folder / "kernels" / "slow"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", SLOW_KERNEL, str(seconds), "-f", "{connection_file}"],
        "display_name": "slow", "language": "python"}))


async def _wait_for(km: AsyncKernelManager, timeout: float) -> float:
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    t0 = time.monotonic()
    try:
        await _kernel_ready(kc, km, timeout=timeout)
        reply = await kc.execute("x = 6 * 7", reply=True, timeout=30)
        assert reply["content"]["status"] == "ok"
        return time.monotonic() - t0
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


@pytest.mark.parametrize("seconds", [0.0, 3.5])
def test_a_kernel_slow_to_start_is_waited_for(monkeypatch, tmp_path: Path,
                                              seconds: float) -> None:
    """A kernel answering 3.5 s after the first request is ready soon after, well before the
    timeout; its client then runs code as usual."""
    _slow_kernel_spec(tmp_path, seconds)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    waited = asyncio.run(_wait_for(AsyncKernelManager(kernel_name="slow"), timeout=30))
    assert seconds <= waited < seconds + 15


def test_a_kernel_that_never_answers_times_out(monkeypatch, tmp_path: Path) -> None:
    _slow_kernel_spec(tmp_path, 60)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="didn't respond in 2 seconds"):
        asyncio.run(_wait_for(AsyncKernelManager(kernel_name="slow"), timeout=2))
