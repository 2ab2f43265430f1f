"""Reading a run's table files for the report and the workbook without parsing more than needed.

A per-respondent table (quality flags, exclusions) has as many rows as the study has
respondents.  The report shows the first rows of a table and the workbook holds tables up to
a row limit, so both read only a table's head with pandas, and count its rows with pyarrow's
multi-threaded CSV reader (one column converted), so the build does not grow with the number
of respondents beyond one pass over each file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["count_rows", "read_head"]


def count_rows(path: str | Path) -> int:
    """The number of data rows of a CSV table written by :func:`cvmkit.io.write_table`.

    Quoted line breaks inside a cell do not count as rows.
    """
    p = Path(path)
    try:
        import pyarrow.csv as pacsv

        with p.open("rb") as fh:
            header = pd.read_csv(fh, nrows=0).columns
        if not len(header):
            return 0
        table = pacsv.read_csv(
            p,
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=[str(header[0])],
                column_types={str(header[0]): "string"}),
        )
        return table.num_rows
    except Exception:  # noqa: BLE001 - anything pyarrow cannot read is counted by pandas
        return len(pd.read_csv(p, usecols=[0]))


def read_head(path: str | Path, n: int) -> pd.DataFrame:
    """The first ``n`` rows of a CSV table, read as :func:`pandas.read_csv` reads the whole."""
    return pd.read_csv(Path(path), nrows=n)
