"""cvmkit's categorical emission fits the same latent class model as stepmix's own."""

from __future__ import annotations

import numpy as np
import pytest
from stepmix.stepmix import StepMix

from cvmkit._lca_emission import MEASUREMENT


def _answers(seed: int, n: int = 600) -> np.ndarray:
    rng = np.random.default_rng(seed)
    cls = rng.integers(0, 3, n)
    probs = rng.dirichlet(np.ones(4), size=(3, 6))  # class × item × category
    z = np.array([[rng.choice(4, p=probs[c, j]) for j in range(6)] for c in cls], float)
    z[rng.random(z.shape) < 0.1] = np.nan  # a tenth of the answers missing
    return z


@pytest.mark.parametrize("seed", [1, 2])
def test_same_fit_as_stepmix_categorical_nan(seed: int) -> None:
    z = _answers(seed)
    w = np.random.default_rng(seed).uniform(0.5, 2.0, len(z))
    fits = {}
    for measurement in ("categorical_nan", MEASUREMENT):
        model = StepMix(n_components=3, measurement=measurement, n_init=2, random_state=seed,
                        verbose=0, progress_bar=0, max_iter=2000, abs_tol=1e-8, rel_tol=1e-10)
        model.fit(z, sample_weight=w)
        fits[measurement] = model
    ours, theirs = fits[MEASUREMENT], fits["categorical_nan"]
    assert ours.score(z, sample_weight=w) == pytest.approx(theirs.score(z, sample_weight=w),
                                                           rel=1e-12)
    np.testing.assert_allclose(ours.get_parameters()["measurement"]["pis"],
                               theirs.get_parameters()["measurement"]["pis"], atol=1e-9)
    np.testing.assert_allclose(ours.predict_proba(z), theirs.predict_proba(z), atol=1e-9)
    assert (ours.predict(z) == theirs.predict(z)).all()
    # a second array (here: a part of the first) is encoded afresh, not from the fit's cache
    np.testing.assert_allclose(ours.predict_proba(z[:50]), theirs.predict_proba(z[:50]),
                               atol=1e-9)
