"""Pictures: drawing, plots, videos and Q-value views.

Everything here imports its optional dependency (pygame, matplotlib, imageio) inside the
functions that need it, so ``import nprl.viz`` works without them and a missing extra gives
a clear install hint (see :func:`nprl.errors.require`).
"""

from __future__ import annotations

from nprl.errors import require


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
