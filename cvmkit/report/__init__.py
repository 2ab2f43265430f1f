"""The client report of a run: ``report.html`` and ``tables.xlsx``.

:func:`build_report` writes one self-contained HTML page (figures embedded, no external
requests, a table of contents, the executive summary, then each step's narrative, tables and
figures, no code); :func:`write_tables_xlsx` writes every table of the run into one workbook.
The pipeline calls both after the last notebook of a run.
"""

from .html import REPORT_FILE, Section, build_report, collect_sections, render_report
from .xlsx import TABLES_FILE, sheet_names, write_tables_xlsx

__all__ = ["REPORT_FILE", "TABLES_FILE", "Section", "build_report", "collect_sections",
           "render_report", "sheet_names", "write_tables_xlsx"]
