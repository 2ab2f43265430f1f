"""Input checks shared by the analysis modules."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import DataError


def numeric_column(data: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """Column ``column`` of ``data`` as floats (missing values as NaN, booleans as 0/1).

    Parameters
    ----------
    data : DataFrame
    column : str
        A column of ``data``.
    what : str
        What the column is for (an argument name), put first in the error message.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    DataError
        When an entry is not a number, naming the first row that holds one.

    Examples
    --------
    >>> import pandas as pd
    >>> numeric_column(pd.DataFrame({"x": ["1", "2.5", None]}), "x", "outcome")
    array([1. , 2.5, nan])
    """
    s = data[column]
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(s):
        coerced = pd.to_numeric(s, errors="coerce")
        bad = s[coerced.isna() & s.notna()]
        if not bad.empty:
            raise DataError(
                f"{what}: column '{column}' should be numeric; row {bad.index[0]!r} holds "
                f"{bad.iloc[0]!r}"
            )
        s = coerced
    return s.to_numpy(dtype=float)
