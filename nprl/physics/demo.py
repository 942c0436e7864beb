"""``python -m nprl.physics.demo``: watch the physics engine (same as ``nprl physics-demo``).

A thin entry point: the scenes are pure physics (``nprl.physics.scenes``), the drawing
lives in ``nprl.viz.physics_demo`` and is imported only when the demo runs, so the
engine itself never needs pygame.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Parse the demo's arguments and run it; returns the exit status."""
    from nprl.cli import main as cli_main

    return cli_main(["physics-demo", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
