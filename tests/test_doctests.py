"""Every module's docstring examples run and pass (issue 9: ``pytest --doctest-modules audioviz``).

One test per module, so a stale example names its module; a module that has examples must
have them attempted (a parse slip that hides them all would otherwise pass silently).
"""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import audioviz


def _modules() -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages(audioviz.__path__, "audioviz.")
                  if info.name != "audioviz.__main__")


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_pass(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runnable = sum(not example.options.get(doctest.SKIP) for test in finder.find(module) for example in test.examples)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} docstring examples failed"
    assert result.attempted >= runnable


def test_most_modules_carry_examples():
    with_examples = [name for name in _modules()
                     if any(t.examples for t in doctest.DocTestFinder().find(importlib.import_module(name)))]
    assert len(with_examples) >= len(_modules()) // 2, with_examples
