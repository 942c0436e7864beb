"""Rules of the product that hold for every file in ``nprl/``.

- The core is NumPy-only: no deep-learning framework is imported anywhere in ``nprl/``.
- Loading a file never runs code: no pickle-style modules, no ``allow_pickle=True``.
- ``nprl/physics`` is headless: it never imports pygame.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "nprl"
SOURCES = sorted(PACKAGE.rglob("*.py"))
# Lesson sources (``*.lesson``) are notebook text in Python's syntax: the same rules hold
# (their "the same in PyTorch" sections show PyTorch code as text, never run it).
LESSON_SOURCES = sorted((PACKAGE / "lessons" / "source").glob("*.lesson"))
FORBIDDEN = {"torch", "tensorflow", "jax", "keras", "pickle", "cPickle", "dill", "joblib"}


def imported_modules(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def allows_pickle(text: str) -> bool:
    """Whether source text turns pickle loading on (``allow_pickle=True``, any spacing)."""
    return "allow_pickle=True" in "".join(text.split())


def test_the_rules_read_every_package():
    packages = {path.parent.name for path in SOURCES if path.name == "__init__.py"}
    assert {"nprl", "nn", "data", "physics", "envs", "rl", "viz", "lessons", "scale",
            "commands"} <= packages
    assert {PACKAGE / "cli.py", PACKAGE / "nn" / "layer.py", PACKAGE / "envs" / "lander.py"} \
        <= set(SOURCES)
    assert len(LESSON_SOURCES) == 17  # 13 lessons and checkpoints A-D


def test_the_rules_catch_what_they_forbid(tmp_path):
    bad = tmp_path / "bad.py"
    for line in ["import torch", "import torch.nn as nn", "from torch import nn",
                 "from jax.numpy import array", "import os, pickle", "import tensorflow as tf",
                 "def f():\n    import keras", "try:\n    import dill\nexcept ImportError:\n    pass"]:
        bad.write_text(line + "\n")
        assert imported_modules(bad) & FORBIDDEN, line
    bad.write_text("from .torch import nn\nimport numpy\n")  # nprl's own module named torch
    assert not imported_modules(bad) & FORBIDDEN
    assert allows_pickle("np.load(path, allow_pickle = True)")
    assert allows_pickle("np.load(path,\n        allow_pickle=True)")
    assert not allows_pickle("np.load(path, allow_pickle=False)")


@pytest.mark.parametrize("path", SOURCES + LESSON_SOURCES,
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_framework_or_pickle_import(path):
    assert not imported_modules(path) & FORBIDDEN


@pytest.mark.parametrize("path", SOURCES + LESSON_SOURCES,
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_allow_pickle_true(path):
    assert not allows_pickle(path.read_text())


def test_physics_is_headless():
    physics = sorted((PACKAGE / "physics").rglob("*.py"))
    assert PACKAGE / "physics" / "world.py" in physics
    for path in physics:
        assert "pygame" not in imported_modules(path), path
