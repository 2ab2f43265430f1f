"""The client documents of a run: ``report.html``, ``deck.pptx`` and ``tables.xlsx``.

:func:`build_report` writes one self-contained HTML page for a manager (figures embedded, no
external requests: the cover, the executive summary, the recommended actions, a section per
finding and an appendix; see :mod:`cvmkit.report.client`) and the slide deck beside it
(:func:`build_deck`); :func:`write_tables_xlsx` writes every table of the run into one workbook.
The pipeline calls both after the last notebook of a run.
"""

from .build import build_report, render_report
from .deck import DECK_FILE, build_deck
from .html import REPORT_FILE, Section, collect_sections
from .xlsx import TABLES_FILE, sheet_names, write_tables_xlsx

__all__ = ["DECK_FILE", "REPORT_FILE", "TABLES_FILE", "Section", "build_deck", "build_report",
           "collect_sections", "render_report", "sheet_names", "write_tables_xlsx"]
