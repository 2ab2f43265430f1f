"""The HTML export of an executed notebook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["export_html"]

_EXPORTER: Any = None


def export_html(notebook: str | Path, target: str | Path) -> Path:
    """Export an executed notebook to HTML without its code cells (its computed Markdown made
    inert: :mod:`cvmkit.escaping`), opening offline (:mod:`cvmkit.report.notebook_html`)."""
    global _EXPORTER
    import nbformat

    if _EXPORTER is None:
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                                 exclude_output_prompt=True)
    from ..escaping import inert_outputs

    nb = inert_outputs(nbformat.read(str(notebook), as_version=4))
    body, _ = _EXPORTER.from_notebook_node(nb)
    from ..io.artifacts import atomic_write_text
    from ..report.notebook_html import offline_notebook_html

    return atomic_write_text(target, offline_notebook_html(body, Path(notebook).parent))

