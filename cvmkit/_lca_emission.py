"""A faster categorical emission for stepmix's latent class models with missing answers.

stepmix's ``categorical_nan`` emission one-hot encodes the answers again at every E and M
step, and normalises the item probabilities one one-hot column at a time in a Python loop;
on a few thousand respondents that is most of a fit's time.  :class:`CategoricalNan` fits the
same model (the same likelihood, the same M step: observed answers only) but encodes each
answer matrix once per fit and normalises all columns with one matrix product.  It is
registered with stepmix under :data:`MEASUREMENT`, and :func:`cvmkit.segmentation` asks
stepmix for it by that name.

The answers to a fit are the same array at every step of its EM, so the encoding is kept
for the last array seen (by identity, and only for arrays up to :data:`_CACHE_ROWS` rows: the
one-hot copy of a million respondents is not held between calls).
"""

from __future__ import annotations

import numpy as np
from stepmix.emission.build_emission import EMISSION_DICT
from stepmix.emission.categorical import MultinoulliNan

#: The stepmix measurement name of :class:`CategoricalNan` (ends in ``nan``: stepmix then
#: accepts missing answers).
MEASUREMENT = "cvmkit_categorical_nan"

#: Largest answer matrix whose one-hot encoding is kept between the steps of a fit.
_CACHE_ROWS = 50_000


class CategoricalNan(MultinoulliNan):
    """stepmix's ``categorical_nan`` emission, with the one-hot encoding done once per fit."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._cached: tuple | None = None

    def _encoded(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One-hot answers with missing set to 0, and the 0/1 matrix of observed cells."""
        if self._cached is not None and self._cached[0] is X:
            return self._cached[1], self._cached[2]
        hot = self.encode_features(X)
        observed = (~np.isnan(hot)).astype(float)
        hot = np.nan_to_num(hot, nan=0.0)
        self._cached = (X, hot, observed) if X.shape[0] <= _CACHE_ROWS else None
        return hot, observed

    def m_step(self, X, resp):
        hot, observed = self._encoded(X)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.parameters["pis"] = ((hot.T @ resp) / (observed.T @ resp)).T

    def log_likelihood(self, X):
        hot, _ = self._encoded(X)
        pis = np.clip(self.parameters["pis"].T, 1e-15, 1 - 1e-15)
        return hot @ np.log(pis)

    def __getstate__(self):  # a pickled model does not carry the answers it was fitted on
        state = dict(self.__dict__)
        state["_cached"] = None
        return state


EMISSION_DICT.setdefault(MEASUREMENT, CategoricalNan)
