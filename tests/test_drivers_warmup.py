"""The warm-up that `make setup` runs compiles every numba path the notebooks use."""

from cvmkit.drivers.warmup import warm_up


def test_warm_up_runs_every_compiled_path():
    assert warm_up(p=3, n=60) > 0
