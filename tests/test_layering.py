"""Every package of ``nprl`` keeps to its floor.

The floors, from the bottom (each may import the floors below it, never one above):

- base: the root modules ``nprl/{errors,fileio,progress,rewards,output_paths,checks,blas,
  env_factory,argparsing,stop_signals}.py`` import no nprl package;
- ``nn``, ``data``, ``physics``: base only;
- ``envs`` (physics + base) and ``rl`` (nn + base): never each other;
- ``viz``: anything below it;
- ``lessons`` and ``scale``: anything below them (not each other);
- ``commands``; then ``cli`` and ``__main__``;
- ``nprl/__init__.py`` is the composition root: the one place that wires envs into rl.

Every import counts: at the top of a file, inside a function (lazy), under
``TYPE_CHECKING``, ``import x`` and ``from x import y``, relative ones resolved. A failure
names the file and line of each import that climbs, and each pair of units that import
each other.
"""

from __future__ import annotations

import ast
import pathlib
from dataclasses import dataclass

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "nprl"

BASE = frozenset({"errors", "fileio", "progress", "rewards", "output_paths", "checks", "blas",
                  "env_factory", "argparsing", "stop_signals"})  # env_factory: what rl builds envs with
_BELOW_VIZ = BASE | {"nn", "data", "physics", "envs", "rl"}
# unit -> the units it may import (a unit is a sub-package or a root module). Base modules
# may import each other (never in a circle); a package may import its own modules.
ALLOWED: dict[str, frozenset[str]] = {
    **{name: BASE for name in BASE},
    "nn": BASE,
    "data": BASE,
    "physics": BASE,
    "envs": BASE | {"physics"},
    "rl": BASE | {"nn"},
    "viz": _BELOW_VIZ,
    "lessons": _BELOW_VIZ | {"viz"},
    "scale": _BELOW_VIZ | {"viz"},
    "commands": _BELOW_VIZ | {"viz", "lessons", "scale"},
    # the command on top may read the root's names (``__version__``)
    "cli": _BELOW_VIZ | {"viz", "lessons", "scale", "commands", "__init__"},
    "__main__": _BELOW_VIZ | {"viz", "lessons", "scale", "commands", "cli", "__init__"},
}
ROOT = "__init__"  # nprl/__init__.py: the composition root, may import anything


@dataclass(frozen=True)
class Import:
    """One import statement of one file: which unit imports which module, and where."""

    path: str  # relative to the repository, e.g. nprl/envs/lander.py
    line: int
    unit: str  # the importing unit: "envs", "errors", "__init__"...
    target: str  # the imported module, e.g. nprl.viz.lander_draw


def unit_of(module: str) -> str:
    """``nprl.envs.lander`` -> ``envs``; ``nprl.errors`` -> ``errors``; ``nprl`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def module_name(path: pathlib.Path, package: pathlib.Path) -> tuple[str, bool]:
    """Dotted module name of ``path`` under ``package`` and whether it is an ``__init__``."""
    relative = path.relative_to(package.parent).with_suffix("")
    parts = list(relative.parts)
    is_init = parts[-1] == "__init__"
    if is_init:
        parts.pop()
    return ".".join(parts), is_init


def nprl_imports(source: str, module: str, is_init: bool, path: str = "<string>") -> list[Import]:
    """Every import of an ``nprl`` module in ``source`` (the text of module ``module``),
    wherever it stands in the file, relative imports resolved to absolute names.

    ``from p import x`` counts as importing ``p.x`` when that is a module or package
    under :data:`PACKAGE` (``from nprl import nn``), else as importing ``p``."""
    package_parts = module.split(".") if is_init else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            targets = [f"{prefix}.{alias.name}" if _is_module(f"{prefix}.{alias.name}")
                       else prefix for alias in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):  # once per statement
            if target == "nprl" or target.startswith("nprl."):
                found.append(Import(path, node.lineno, unit_of(module), target))
    return found


def _is_module(name: str) -> bool:
    """Whether the dotted ``name`` is a module or package under :data:`PACKAGE`."""
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def is_known_unit(name: str) -> bool:
    return name in ALLOWED or name == ROOT


def climbing(imports: list[Import]) -> list[str]:
    """One line per import that reaches a floor its unit may not import."""
    problems = []
    for imp in imports:
        target = unit_of(imp.target)
        if imp.unit == ROOT or target == imp.unit:
            continue
        if imp.unit not in ALLOWED:
            problems.append(f"{imp.path}:{imp.line}: {imp.unit} has no floor; add it to "
                            "ALLOWED in tests/test_layering.py (and COMMON.md's layering)")
        elif target not in ALLOWED[imp.unit]:
            problems.append(f"{imp.path}:{imp.line}: {imp.unit} imports {imp.target} "
                            f"({target} is not below {imp.unit})")
    return problems


def mutual(imports: list[Import]) -> list[str]:
    """One line per pair of units that import each other (each side's first import)."""
    first: dict[tuple[str, str], Import] = {}
    for imp in imports:
        edge = (imp.unit, unit_of(imp.target))
        if edge[0] != edge[1] and edge not in first:
            first[edge] = imp
    problems = []
    for (a, b), imp in sorted(first.items()):
        back = first.get((b, a))
        if back is not None and a < b:
            problems.append(f"{a} and {b} import each other: {imp.path}:{imp.line} "
                            f"({imp.target}) and {back.path}:{back.line} ({back.target})")
    return problems


def package_imports(package: pathlib.Path) -> list[Import]:
    """Every nprl import of every module under ``package``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        module, is_init = module_name(path, package)
        relative = str(path.relative_to(package.parent))
        found += nprl_imports(path.read_text(), module, is_init, relative)
    return found


IMPORTS = package_imports(PACKAGE)


def test_the_package_is_read():
    """The checker sees the imports that must be there (so an empty walk cannot pass)."""
    seen = {(imp.unit, imp.target) for imp in IMPORTS}
    assert ("envs", "nprl.physics") in {(u, ".".join(t.split(".")[:2])) for u, t in seen}
    assert len({imp.path for imp in IMPORTS}) > 50


def test_no_package_imports_one_above_it():
    problems = climbing(IMPORTS)
    assert not problems, "imports that climb a floor:\n" + "\n".join(problems)


def test_no_two_packages_import_each_other():
    problems = mutual(IMPORTS)
    assert not problems, "\n".join(problems)


def test_every_unit_has_a_floor():
    units = {imp.unit for imp in IMPORTS} | {unit_of(imp.target) for imp in IMPORTS}
    assert sorted(u for u in units if not is_known_unit(u)) == []


# -- the checker itself: it must catch what it is meant to catch ------------------------

def _imports_of(source: str, module: str, is_init: bool = False) -> list[Import]:
    return nprl_imports(source, module, is_init, path=module.replace(".", "/") + ".py")


def test_checker_catches_a_lazy_import_that_climbs():
    source = "import numpy\n\ndef render():\n    from nprl.viz.lander_draw import X\n"
    problems = climbing(_imports_of(source, "nprl.envs.lander"))
    assert problems == [("nprl/envs/lander.py:4: envs imports nprl.viz.lander_draw "
                         "(viz is not below envs)")]


@pytest.mark.parametrize("source, module, is_init, target", [
    ("from ..viz import draw\n", "nprl.envs.lander", False, "nprl.viz"),
    ("from . import lander\n", "nprl.envs", True, "nprl.envs.lander"),
    ("from .lander import LanderEnv\n", "nprl.envs.registration", False, "nprl.envs.lander"),
    ("from nprl import cli\n", "nprl.physics.demo", False, "nprl.cli"),
    ("import nprl.rl.blas as blas\n", "nprl.commands.mnist", False, "nprl.rl.blas"),
])
def test_checker_resolves_every_form_of_import(source, module, is_init, target):
    (imp,) = _imports_of(source, module, is_init)
    assert imp.target == target and imp.line == 1


@pytest.mark.parametrize("module, source", [
    ("nprl.physics.demo", "from nprl.cli import main\n"),
    ("nprl.rl.train", "from nprl.envs import make\n"),
    ("nprl.envs.lander_config", "from nprl.nn.checks import positive\n"),
    ("nprl.errors", "from nprl.nn import Dense\n"),
    ("nprl.nn.layer", "from nprl.data import mnist\n"),
])
def test_checker_catches_each_forbidden_floor(module, source):
    assert len(climbing(_imports_of(source, module))) == 1


@pytest.mark.parametrize("module, source", [
    ("nprl.viz.video", "from nprl.envs.lander import LanderEnv\n"),
    ("nprl.rl.agent", "from nprl.nn import Dense\nfrom nprl.checks import positive\n"),
    ("nprl.commands.mnist", "from nprl.blas import blas_threads\n"),
    ("nprl", "from nprl.envs.registration import register_envs\nimport nprl.rl\n"),
])
def test_checker_lets_allowed_imports_pass(module, source):
    assert climbing(_imports_of(source, module, module == "nprl")) == []


def test_checker_catches_two_units_that_import_each_other():
    imports = (_imports_of("from nprl.fileio import write\n", "nprl.errors")
               + _imports_of("def f():\n    import nprl.errors\n", "nprl.fileio"))
    assert mutual(imports) == [("errors and fileio import each other: nprl/errors.py:1 "
                                "(nprl.fileio) and nprl/fileio.py:2 (nprl.errors)")]
