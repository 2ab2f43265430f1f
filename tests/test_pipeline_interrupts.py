"""Ctrl-C never lands inside Python's import machinery (cvmkit/pipeline/interrupts.py).

An interrupt raised between ``importlib`` taking its global import lock and the ``try`` that
releases it left the lock taken: a run stopped at start-up then waited for ever on its kernel
thread, which was importing.  The handler the ``cvmkit`` command installs puts a signal off
while the main thread is in ``importlib``'s own code and has it sent again a moment later.
"""

from __future__ import annotations

import signal
import sys
import time

import pytest

from cvmkit.pipeline.interrupts import in_import_machinery, interrupt

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="POSIX signals")


def _frame_in(filename: str):
    """A live frame whose code says it comes from ``filename``."""
    space: dict = {}
    exec(compile("import sys\nframe = sys._getframe()", filename, "exec"), space)
    return space["frame"]


@pytest.fixture
def received():
    """The SIGUSR1 signals this process receives while the test runs."""
    got: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: got.append(signum))
    yield got
    signal.signal(signal.SIGUSR1, previous)


def _wait_for(got: list[int], seconds: float = 2.0, count: int = 1) -> None:
    deadline = time.monotonic() + seconds
    while len(got) < count and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.mark.parametrize("module", ["importlib._bootstrap", "importlib._bootstrap_external"])
def test_a_signal_in_the_import_machinery_is_put_off_and_sent_again(received, module) -> None:
    frame = _frame_in(f"<frozen {module}>")
    # one at a time: two signals of a kind pending at once are delivered as one
    assert in_import_machinery(signal.SIGUSR1, frame)
    _wait_for(received)
    assert received == [signal.SIGUSR1]  # sent again, a moment later
    assert interrupt(signal.SIGUSR1, frame) is None  # no KeyboardInterrupt there
    _wait_for(received, count=2)
    time.sleep(0.05)
    assert received == [signal.SIGUSR1, signal.SIGUSR1]


def test_a_signal_anywhere_else_interrupts_at_once(received) -> None:
    for frame in (sys._getframe(), _frame_in("<string>"), None):
        assert not in_import_machinery(signal.SIGUSR1, frame)
        with pytest.raises(KeyboardInterrupt):
            interrupt(signal.SIGINT, frame)
    time.sleep(0.05)
    assert received == []


def test_the_run_command_installs_the_handler() -> None:
    """``cvmkit`` commands run with it for SIGINT and SIGTERM, and put back what was there."""
    from cvmkit.cli import _terminate_as_interrupt

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with _terminate_as_interrupt():
        assert signal.getsignal(signal.SIGINT) is interrupt
        assert signal.getsignal(signal.SIGTERM) is interrupt
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


#: Caught Ctrl-C inside code run from a string (as a dataclass's methods are made while its
#: module is imported), then an exit with 130 — with or without telling Python it was handled.
#: Run with ``python -m``, as the tests run ``cvmkit``: that is where Python checks its mark.
_CAUGHT = """
import sys
from cvmkit.pipeline.interrupts import handled
try:
    exec("print('ready', flush=True); import time; time.sleep(30)")
except KeyboardInterrupt:
    if sys.argv[1] == "handled":
        handled()
sys.exit(130)
"""


@pytest.mark.parametrize("told", ["handled", "not told"])
def test_a_caught_interrupt_ends_the_process_with_its_own_status(tmp_path, told: str) -> None:
    import subprocess

    (tmp_path / "caught.py").write_text(_CAUGHT)
    proc = subprocess.Popen([sys.executable, "-m", "caught", told], cwd=tmp_path,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    # CPython's own behaviour without handled(): killed by SIGINT despite sys.exit(130)
    assert proc.returncode == (130 if told == "handled" else -signal.SIGINT)
