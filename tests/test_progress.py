"""Progress bars of long computations: every item counted once, results unchanged, silent when
switched off."""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pytest

from cvmkit import progress as progress_mod
from cvmkit.drivers import bootstrap, models, relative_importance
from cvmkit.drivers.lmg import run_chunks


def _frame(p: int = 4, n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    df = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"d{j}" for j in range(p)])
    df["y"] = df.sum(axis=1) + rng.normal(size=n)
    return df


@pytest.fixture
def recorded(monkeypatch):
    """Replace the bars (of the bootstrap, the logit fits and :func:`cvmkit.progress.tracked`)
    by a recorder of what they count."""
    seen: list[tuple[str, int, list[int]]] = []

    @contextlib.contextmanager
    def fake(total, desc, **_kw):
        steps: list[int] = []
        seen.append((desc, total, steps))
        yield steps.append

    monkeypatch.setattr(bootstrap, "progress", fake)
    monkeypatch.setattr(models, "progress", fake)
    monkeypatch.setattr(progress_mod, "progress", fake)
    return seen


def test_bootstrap_counts_every_replicate_once(recorded) -> None:
    df = _frame()
    t = relative_importance(df, "y", ["d0", "d1", "d2", "d3"], methods="lmg", n_boot=300, seed=1)
    assert [(d, total, sum(steps)) for d, total, steps in recorded] == [
        ("bootstrap", 300, 300)]
    assert len(recorded[0][2]) > 1  # it moves in several steps, not one jump at the end
    assert t["lower"].notna().all()


def test_logit_fits_count_every_model_once(recorded) -> None:
    df = _frame(p=5, n=400)
    df["top"] = (df["y"] > 1).astype(float)
    fits, _ = models.mcfadden_fits(df[[f"d{j}" for j in range(5)]].to_numpy(),
                                   df["top"].to_numpy(), np.ones(len(df)))
    assert [(total, sum(steps)) for _d, total, steps in recorded] == [(31, 31)]
    assert fits[0] == pytest.approx(0.0)


def test_chunks_with_progress_give_the_same_result() -> None:
    from cvmkit.drivers._metrics import boot_kernel
    from cvmkit.drivers.lmg import shapley_weights

    rng = np.random.default_rng(0)
    z = np.ascontiguousarray(rng.normal(size=(100, 4)))
    w = np.ones(100)
    idx = rng.integers(0, 100, size=(37, 100)).astype(np.int64)
    c_w, b_w = shapley_weights(3)
    perms = np.zeros((1, 3), np.int64)
    done: list[int] = []
    a = boot_kernel(z, w, idx, False, 1, c_w, b_w, perms)
    b = boot_kernel(z, w, idx, False, 1, c_w, b_w, perms, done.append)
    np.testing.assert_array_equal(a, b)
    assert sum(done) == 37


def test_run_chunks_single_item() -> None:
    done: list[int] = []
    out = np.zeros(1)

    def kernel(arr, lo, hi):
        arr[lo:hi] += 1

    run_chunks(kernel, 1, out, advance=done.append)
    assert done == [1] and out[0] == 1


@pytest.mark.parametrize("value", ["off", "0", "FALSE", " no "])
def test_switched_off_by_the_environment(monkeypatch, value) -> None:
    monkeypatch.setenv("CVMKIT_PROGRESS", value)
    assert not progress_mod.progress_enabled()
    with progress_mod.progress(10, "x") as advance:
        advance(10)  # a no-op: nothing to show


def test_shown_with_tqdm_when_on(monkeypatch, capsys) -> None:
    monkeypatch.delenv("CVMKIT_PROGRESS", raising=False)
    assert progress_mod.progress_enabled()
    with progress_mod.progress(4, "counting", delay=0) as advance:
        for _ in range(4):
            advance(1)
    assert "counting" in capsys.readouterr().err


@pytest.mark.parametrize("n, every", [(0, 1), (5, 1), (10, 3), (7, 100)])
def test_tracked_yields_every_item_and_counts_each_once(recorded, n, every) -> None:
    items = list(range(n))
    assert list(progress_mod.tracked(items, "work", every=every)) == items
    (desc, total, steps), = recorded
    assert (desc, total, sum(steps)) == ("work", n, n)


def test_long_steps_of_the_other_analyses_are_tracked(monkeypatch) -> None:
    """Masking, coding, sentiment and the segment models each report their progress."""
    from cvmkit import privacy, segmentation, sentiment, text

    descs: list[str] = []
    real = progress_mod.tracked

    def spy(items, desc, **kw):
        descs.append(desc)
        return real(items, desc, **kw)

    for mod in (privacy, segmentation, sentiment, text):
        monkeypatch.setattr(mod, "tracked", spy)
    answers = pd.Series(["Lovely staff, call Jo Bloggs", "slow app", "fine"] * 20)
    privacy.mask_pii(answers, ["Jo Bloggs"])
    text.code_verbatims(pd.DataFrame({"why": answers}), [{"id": "app", "patterns": ["app"]}],
                        columns=["why"])
    sentiment.score_sentiment(answers)
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.integers(1, 4, size=(60, 3)).astype(float), columns=["a", "b", "c"])
    segmentation.segment_bic(df, ["a", "b", "c"], k_range=[1, 2], method="kmeans")
    segmentation.segment_stability(df, ["a", "b", "c"], k=2, method="kmeans", n_boot=2)
    assert {"masking personal data", "coding comments", "scoring sentiment",
            "segment models by number of segments", "stability refits"} <= set(descs)
