"""Notebook parameters given on the command line, checked before anything runs.

``cvmkit run -p name=value`` passes ``name`` to every notebook whose ``parameters`` cell
declares it.  :func:`check_parameters` makes sure each name is declared by some notebook (a
misspelt ``-p n_bot=20`` would otherwise be ignored silently) and that each value has the type
of the declared default (``-p n_boot=abc`` would otherwise fail deep inside a notebook).

Examples
--------
>>> declared = {"n_boot": 200, "segment": None, "confidence": 0.95}
>>> check_parameters({"n_boot": 50, "confidence": 1}, declared)
{'n_boot': 50, 'confidence': 1.0}
>>> check_parameters({"appendix": "long"}, {"appendix": "short"})
Traceback (most recent call last):
...
cvmkit.errors.CvmkitError: -p appendix='long': expected one of short, full, none
>>> check_parameters({"n_bot": 50}, declared)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
cvmkit.errors.CvmkitError: -p n_bot: no notebook declares this parameter (known: ...)
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import CvmkitError

__all__ = ["check_parameters", "declared_parameters", "notebook_parameters"]

#: Parameters whose value must be one of a few words.
CHOICES: dict[str, tuple[str, ...]] = {"appendix": ("short", "full", "none")}
#: Parameters the pipeline sets itself (and a user may set too).
_PIPELINE = {"study_path": None, "data_path": None, "run_dir": None, "seed": 0}


def notebook_parameters(notebook: str | Path) -> dict[str, str]:
    r"""``{name: default, as written}`` of what a notebook's ``parameters`` cell assigns.

    The cell is the first code cell tagged ``parameters`` (as papermill finds it), read as
    Python; the notebook is read as plain JSON, which is quick (papermill and nbformat take
    seconds to import, and ``cvmkit run`` reads the parameters before it starts any kernel).

    Examples
    --------
    >>> import json, tempfile, os
    >>> cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "outputs": [],
    ...         "execution_count": None, "source": "n_boot = 200  # replicates\nsegment = None"}
    >>> path = os.path.join(tempfile.mkdtemp(), "x.ipynb")
    >>> with open(path, "w") as f:
    ...     json.dump({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, f)
    >>> notebook_parameters(path)
    {'n_boot': '200', 'segment': 'None'}
    """
    import json

    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cell = next((c for c in nb.get("cells", []) if c.get("cell_type") == "code"
                 and "parameters" in (c.get("metadata", {}).get("tags") or [])), None)
    if cell is None:
        return {}
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    try:
        tree = ast.parse(source)
    except SyntaxError:  # not plain Python (a magic, say): as papermill reads it
        import papermill

        return {name: str(info.get("default"))
                for name, info in papermill.inspect_notebook(str(notebook)).items()}
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        else:
            continue
        text = "None" if value is None else (ast.get_source_segment(source, value) or "None")
        for target in targets:
            if isinstance(target, ast.Name):
                out[target.id] = text
    return out


def declared_parameters(notebooks: Iterable[str | Path]) -> dict[str, Any]:
    """``{name: default}`` of every parameter the notebooks declare (first declaration wins).

    A default that is not a Python literal is recorded as ``None`` (any value accepted).
    """
    out: dict[str, Any] = dict(_PIPELINE)
    for nb in notebooks:
        for name, default in notebook_parameters(nb).items():
            if name in out and name not in _PIPELINE:
                continue
            try:
                out[name] = ast.literal_eval(default)
            except (ValueError, SyntaxError):
                out[name] = None
    return out


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list such as [a, b]"
    return type(value).__name__


def check_parameters(params: Mapping[str, Any], declared: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` checked against the notebooks' declared defaults; numbers made floats where
    the default is one.

    Raises
    ------
    CvmkitError
        Naming the first parameter no notebook declares (with the known names), or whose value
        is not of its default's type.
    """
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name not in declared:
            raise CvmkitError(f"-p {name}: no notebook declares this parameter (known: "
                              f"{', '.join(sorted(declared))})")
        default = declared[name]
        ok = True
        if default is None or value is None:
            pass
        elif isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            value = float(value) if ok else value
        elif isinstance(default, str):
            ok = isinstance(value, (str, int, float)) and not isinstance(value, bool)
            value = str(value) if ok else value
        elif isinstance(default, (list, tuple)):
            ok = isinstance(value, (list, tuple, str))
        if not ok:
            raise CvmkitError(f"-p {name}={value!r}: expected {_kind(default)} (the default is "
                              f"{default!r})")
        if name in CHOICES and value not in CHOICES[name]:
            raise CvmkitError(f"-p {name}={value!r}: expected one of "
                              f"{', '.join(CHOICES[name])}")
        out[name] = value
    return out
