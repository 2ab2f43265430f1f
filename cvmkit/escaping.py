"""Text a study or a respondent wrote stays text wherever a notebook shows it.

Notebooks build their sentences from a study's labels, brand names, segment values and
respondents' comments, and show them as Markdown (``display(Markdown(...))``).  Markdown lets
raw HTML through, so a label holding ``<script>`` or ``<style>`` would become a live element of
an HTML export or the report.  The notebooks' own Markdown cells are trusted; what they compute
is not: :func:`inert_markdown` makes such computed Markdown inert (every ``<`` shown as a
character; a link to a ``javascript:``, ``vbscript:`` or ``data:`` address turned into a link
within the page), and
:func:`inert_outputs` applies it to every Markdown output of a notebook before it is exported.

Examples
--------
>>> inert_markdown("**Taste** <script>alert(1)</script> [x](javascript:alert(1))")
'**Taste** &lt;script>alert(1)&lt;/script> [x](#alert(1))'
"""

from __future__ import annotations

import copy
import re
from typing import Any

__all__ = ["inert_markdown", "inert_outputs"]

_SCRIPT_LINK = re.compile(r"\]\(\s*(?:javascript|vbscript|data)\s*:", re.IGNORECASE)


def inert_markdown(text: str) -> str:
    """``text`` (computed Markdown) with raw HTML and script links made harmless."""
    return _SCRIPT_LINK.sub("](#", str(text).replace("<", "&lt;"))


def inert_outputs(nb: Any) -> Any:
    """A copy of notebook ``nb`` whose Markdown outputs are :func:`inert_markdown`."""
    out = copy.deepcopy(nb)
    for cell in out.get("cells", []):
        for o in cell.get("outputs", []) or []:
            data = o.get("data") or {}
            md = data.get("text/markdown")
            if md:
                data["text/markdown"] = inert_markdown("".join(md) if isinstance(md, list)
                                                       else md)
    return out
