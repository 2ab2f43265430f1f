"""The papermill engine notebooks run with, and its wait for a ready kernel."""

from __future__ import annotations

import time
from typing import Any

_ENGINE = "cvmkit"


async def _kernel_ready(kc: Any, km: Any, timeout: float | None) -> None:
    """Wait until the kernel answers ``kernel_info`` and its IOPub messages reach ``kc``.

    ``jupyter_client``'s own wait ends by listening to IOPub until it has been silent for
    0.2 s, which a run pays once per notebook; here IOPub is known to be connected, and
    drained, when it brings the ``idle`` status of a ``kernel_info`` request of this wait.

    The request is sent again every second until the kernel answers.  A kernel that takes
    longer than that to start finds several requests waiting and answers them all, so any of
    them counts: waiting for the answer to the latest request only would read the answers one
    per request sent, stay behind for ever, and give up on a kernel that is ready.
    """
    from queue import Empty

    from nbclient.util import ensure_async

    async def message(channel: Any, seconds: float) -> dict[str, Any] | None:
        try:
            return await ensure_async(channel.get_msg(timeout=seconds))
        except Empty:
            return None

    deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
    asked: set[str] = set()
    while True:
        asked.add(kc.kernel_info())
        answer = None
        reply = await message(kc.shell_channel, 1)
        while reply is not None:  # every answer that has come: the kernel is up
            if (reply["parent_header"].get("msg_id") in asked
                    and reply["msg_type"] == "kernel_info_reply"):
                answer = reply
            reply = await message(kc.shell_channel, 0)
        if answer is not None:
            while (msg := await message(kc.iopub_channel, 0.5)) is not None:
                if (msg["parent_header"].get("msg_id") in asked
                        and msg["msg_type"] == "status"
                        and msg["content"].get("execution_state") == "idle"):
                    handle = getattr(kc, "_handle_kernel_info_reply", None)
                    if handle is not None:
                        handle(answer)  # adapts to an older protocol, if need be
                    return
            # IOPub connected after those messages went out: ask again
        if not await ensure_async(km.is_alive()):
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


def _register_engine() -> str:
    """Register (once) the papermill engine the pipeline runs notebooks with.

    It is papermill's nbclient engine without nbclient's stand-in for the ipywidgets *Output*
    widget.  That stand-in answers the kernel with comm messages on the shell channel while
    the client is waiting on the same channel for the cell's reply, and now and then the reply
    is never seen: the cell — typically a notebook's interactive explorer — waits forever
    (jupyter/nbclient#312).  Without it, what a cell shows inside an Output widget is kept as
    the cell's own output, which is also what a static copy of a notebook should show.
    """
    from nbclient.util import run_sync
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    if _ENGINE in papermill_engines._engines:
        return _ENGINE

    class _Client(PapermillNotebookClient):
        def __init__(self, nb_man: Any, km: Any = None, raise_on_iopub_timeout: bool = True,
                     **kw: Any) -> None:
            super().__init__(nb_man, km=km, raise_on_iopub_timeout=raise_on_iopub_timeout,
                             **kw)
            self.widget_registry = {}

        async def async_start_new_kernel_client(self) -> Any:
            from nbclient.util import ensure_async, run_hook

            assert self.km is not None
            try:
                self.kc = self.km.client()
                await ensure_async(self.kc.start_channels())
                await _kernel_ready(self.kc, self.km, timeout=self.startup_timeout)
            except Exception:
                await self._async_cleanup_kernel()
                raise
            self.kc.allow_stdin = False
            await run_hook(self.on_notebook_start, notebook=self.nb)
            return self.kc

        # nbclient's synchronous wrapper is bound to its own coroutine: bind it to this one
        start_new_kernel_client = run_sync(async_start_new_kernel_client)

        def execute(self, **kwargs: Any) -> Any:
            try:
                return super().execute(**kwargs)
            finally:  # the kernel manager is the pipeline's; the client is ours to close
                if self.kc is not None:
                    self.kc.stop_channels()
                    self.kc = None

    class _Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str,
                                     log_output: bool = False, stdout_file: Any = None,
                                     stderr_file: Any = None, start_timeout: int = 60,
                                     execution_timeout: int | None = None,
                                     **kwargs: Any) -> Any:
            import logging

            kw = {k: v for k, v in kwargs.items()
                  if k not in ("input_path", "timeout", "startup_timeout")}
            kw.update(timeout=execution_timeout or kwargs.get("timeout"),
                      startup_timeout=start_timeout, kernel_name=kernel_name,
                      log=logging.getLogger("papermill"), log_output=log_output,
                      stdout_file=stdout_file, stderr_file=stderr_file)
            return _Client(nb_man, **kw).execute()

    papermill_engines.register(_ENGINE, _Engine)
    return _ENGINE

