"""Pictures: drawing, plots, videos and Q-value views.

Everything here imports its optional dependency (pygame, matplotlib, imageio) inside the
functions that need it, so ``import nprl.viz`` works without them and a missing extra gives
a clear install hint (see :func:`nprl.viz.require`).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from nprl.errors import UserError

_EXTRA_FOR = {"pygame": "render", "matplotlib": "viz", "imageio": "viz", "PIL": "viz"}


def save_figure(figure, out, title: str | None = None, dpi: int = 110):
    """Give a matplotlib figure its title, lay it out, write it as a PNG, close it; return
    the path (a ``pathlib.Path``). Parent folders are created."""
    from pathlib import Path

    pyplot = require("matplotlib.pyplot")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=dpi)
    pyplot.close(figure)
    return out


def require(module: str) -> ModuleType:
    """Import an optional dependency, or raise a UserError that says how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        top = module.split(".")[0]
        extra = _EXTRA_FOR.get(top, "all")
        raise UserError(
            f"{top} is needed for this; install it with: pip install 'nprl[{extra}]'"
        ) from error
