"""The runnable examples in the driver module docstrings still run and print what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["cvmkit.drivers.diagnostics", "cvmkit.drivers.importance", "cvmkit.drivers.lmg",
           "cvmkit.drivers.bootstrap", "cvmkit.drivers.segments", "cvmkit.drivers.models"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
