"""The notebooks of a run: where they are, which ones, what they import and declare."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import PipelineError

__all__ = ["default_notebooks_dir", "default_study_path",
           "discover_notebooks", "notebook_imports"]

_NOTEBOOK_RE = re.compile(r"^\d{2}_[\w\-]+\.ipynb$")


def default_notebooks_dir() -> Path:
    """The notebooks the kit ships (see :func:`cvmkit.resources.notebooks_dir`).

    The current folder plays no part: other notebooks are run with ``notebooks_dir``
    (``cvmkit run --notebooks DIR``).
    """
    from ..resources import notebooks_dir

    return notebooks_dir()


def default_study_path() -> Path:
    """The bundled demo study (see :func:`cvmkit.resources.demo_study_path`)."""
    from ..resources import demo_study_path

    return demo_study_path()


def discover_notebooks(notebooks_dir: str | Path) -> list[Path]:
    """The numbered notebooks (``NN_name.ipynb``) of a folder, in order."""
    d = Path(notebooks_dir)
    if not d.is_dir():
        raise PipelineError(f"notebooks folder '{d}' does not exist")
    found = sorted(p for p in d.iterdir() if _NOTEBOOK_RE.match(p.name))
    if not found:
        raise PipelineError(f"no numbered notebooks (NN_name.ipynb) in '{d}'")
    return found


def _declared_parameters(nb: Path) -> set[str]:
    """The names a notebook's ``parameters`` cell declares."""
    from ..parameters import notebook_parameters

    return set(notebook_parameters(nb))


def _ipython_to_python(source: str) -> str:
    """A cell's code as IPython runs it (magics and shell escapes become Python calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def notebook_imports(notebook: str | Path) -> list[str]:
    r"""The modules a notebook's code cells import, in order (for warming its kernel).

    ``import a.b`` gives ``a.b``; ``from a import b`` gives ``a.b`` (which may be a module)
    and ``a``.  IPython magics are read as IPython reads them; a cell that still does not
    parse is skipped.

    Examples
    --------
    >>> import nbformat, tempfile, os
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "import pandas as pd\nfrom cvmkit import drivers\n%matplotlib inline")])
    >>> path = os.path.join(tempfile.mkdtemp(), "x.ipynb")
    >>> nbformat.write(nb, path)
    >>> notebook_imports(path)
    ['pandas', 'cvmkit.drivers', 'cvmkit']
    """
    import ast

    # Read as plain JSON: this runs before the kernels start, and nbformat's schema machinery
    # is slow to import.
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    found: list[str] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        try:
            tree = ast.parse(source)
        except SyntaxError:
            try:
                tree = ast.parse(_ipython_to_python(source))
            except SyntaxError:
                continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.extend(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.extend(f"{node.module}.{a.name}" for a in node.names if a.name != "*")
                found.append(node.module)
    return list(dict.fromkeys(found))

