"""Rules every check module follows (lessons 1-13, checkpoints A-D): a stub answer gets
"not yet" under the exercise's own name, and no check raises, whatever it is given."""

import importlib
import inspect
import pkgutil

import pytest

import nprl.lessons.checks as checks_package
from nprl.lessons.catalog import course

MODULES = sorted(m.name for m in pkgutil.iter_modules(checks_package.__path__)
                 if m.name.startswith(("lesson", "checkpoint_")))
CHECKS = [(module, name) for module in MODULES
          for name, fn in vars(importlib.import_module(f"nprl.lessons.checks.{module}")).items()
          if name.startswith("check_") and callable(fn)]


def stub(*args, **kwargs):
    raise NotImplementedError


def test_every_notebook_has_its_check_module():
    for entry in course():
        label = entry.name.split("_")[0]
        module = entry.name if entry.name.startswith("checkpoint_") else f"lesson{label}"
        assert module in MODULES, entry.name
        functions = vars(importlib.import_module(f"nprl.lessons.checks.{module}"))
        for exercise in entry.exercises:
            assert f"check_{exercise}" in functions, (entry.name, exercise)


@pytest.mark.parametrize("module, name", CHECKS)
def test_stub_is_not_yet_and_garbage_is_wrong(module, name, capsys):
    fn = getattr(importlib.import_module(f"nprl.lessons.checks.{module}"), name)
    required = [p for p in inspect.signature(fn).parameters.values()
                if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    if len(required) != 1:
        pytest.skip("takes more than the learner's function")
    verdict = fn(stub)
    assert (verdict.status, verdict.exercise) == ("not yet", name[len("check_"):])
    for garbage in (lambda *a, **k: None, lambda *a, **k: "text", 42):
        assert fn(garbage).status == "wrong"
