"""A line per long step of a notebook on the console of ``cvmkit run``."""

from __future__ import annotations

import nbformat

from cvmkit.pipeline.steps import section_titles, step_hooks


def _nb() -> nbformat.NotebookNode:
    v4 = nbformat.v4
    return v4.new_notebook(cells=[
        v4.new_code_cell("import time"),
        v4.new_markdown_cell("# Title\n\nText.\n\n## Relative **importance**"),
        v4.new_code_cell("fit()"),
        v4.new_markdown_cell("No heading here."),
        v4.new_code_cell("plot()"),
    ])


def test_each_cell_belongs_to_the_last_heading_before_it() -> None:
    assert section_titles(_nb()) == [None, "Relative importance", "Relative importance",
                                     "Relative importance", "Relative importance"]


def test_only_cells_past_the_threshold_are_reported(monkeypatch) -> None:
    clock = iter([0.0, 7.5, 10.0, 11.0, 20.0, 26.0])
    monkeypatch.setattr("cvmkit.pipeline.steps.time.perf_counter", lambda: next(clock))
    lines: list[str] = []
    nb = _nb()
    hooks = step_hooks(nb, lines.append, "03_drivers", min_seconds=5)
    for index in (2, 4, 0):
        hooks["on_cell_start"](cell=nb.cells[index], cell_index=index)
        hooks["on_cell_complete"](cell=nb.cells[index], cell_index=index)
    assert lines == ["      03_drivers · Relative importance: 7.5 s",
                     "      03_drivers · cell 0: 6.0 s"]
