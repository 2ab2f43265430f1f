"""The analyst's HTML copy of an executed notebook, made to open offline.

nbconvert's page loads MathJax, require.js, mermaid and the widget manager from public
servers.  :func:`offline_notebook_html` takes those loaders out (a notebook's output here is
figures, tables and text, none of which needs them), and adds a ``Content-Security-Policy``
that forbids the page to fetch anything but its own ``data:`` images and fonts, so that opening
it issues no network request.  It also rewrites the folder a run was written in while it ran
(``.<run id>.partial``, renamed when the run finishes) to paths relative to the run, so the
page names no folder that no longer exists.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["NOTEBOOK_CSP", "offline_notebook_html"]

NOTEBOOK_CSP = ("default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
                "script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
_EXTERNAL_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.I | re.S)
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.I | re.S)
_FETCHES = re.compile(r"(?:https?:)?//(?:cdnjs|unpkg|cdn\.jsdelivr)\.|\bimport\s+[\w{}\s,*]*"
                      r"\s+from\s+[\"']https?:", re.I)
_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I)


def offline_notebook_html(page: str, run_dir: str | Path | None = None) -> str:
    """``page`` (nbconvert's HTML) without its loaders from the internet.

    Parameters
    ----------
    page : str
        The HTML of an exported notebook.
    run_dir : str or Path, optional
        The folder the run was written in while the notebook ran: every mention of it becomes
        a path relative to the run (``results/x.json``), or "the run folder" on its own.

    Returns
    -------
    str

    Examples
    --------
    >>> page = ('<html><head><script src="https://cdnjs.cloudflare.com/x.js"></script>'
    ...         '</head><body>Wrote /r/.1.partial/results/a.json</body></html>')
    >>> out = offline_notebook_html(page, "/r/.1.partial")
    >>> "cdnjs" in out, "Content-Security-Policy" in out, out.endswith("Wrote results/a.json"
    ...                                                                "</body></html>")
    (False, True, True)
    """
    page = _EXTERNAL_SCRIPT.sub("", page)
    page = _SCRIPT.sub(lambda m: "" if _FETCHES.search(m.group(0)) else m.group(0), page)
    page = _EXTERNAL_LINK.sub("", page)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{NOTEBOOK_CSP}">'
    page = re.sub(r"<head\b[^>]*>", lambda m: m.group(0) + meta, page, count=1, flags=re.I)
    if run_dir is not None:
        for form in {str(Path(run_dir)), str(Path(run_dir).resolve())}:
            page = page.replace(form + "/", "").replace(form, "the run folder")
    return page
