"""The Lander draws itself (``nprl.envs.lander_render``): without ``nprl.viz``, headless,
with what a person watching would see (the engine flame only while an engine fires)."""

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("pygame")

from nprl.envs import LanderEnv
from nprl.envs.lander_render import FLAME, SIZE


def _flame_pixels(frame: np.ndarray) -> int:
    return int((frame == FLAME).all(axis=2).sum())


def test_the_flame_is_drawn_only_while_the_main_engine_fires():
    env = LanderEnv(render_mode="rgb_array", stage=3)
    env.reset(seed=1)
    env.step(0)
    dark = env.render()
    env.step(1)
    lit = env.render()
    env.close()
    assert dark.shape == lit.shape == (SIZE[1], SIZE[0], 3)
    assert _flame_pixels(dark) == 0 and _flame_pixels(lit) > 20


def _printed_by(code: str) -> str:
    """What ``code`` prints when run in a fresh Python (which must not fail)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_rendering_needs_neither_a_display_nor_nprl_viz():
    code = ("import os, sys; os.environ.pop('DISPLAY', None)\n"
            "from nprl.envs import LanderEnv\n"
            "env = LanderEnv(render_mode='rgb_array'); env.reset(seed=0)\n"
            "frame = env.render(); assert frame.shape == (405, 600, 3), frame.shape\n"
            "print(sorted(m for m in sys.modules if m.startswith('nprl.viz')))")
    assert _printed_by(code) == "[]"


def test_without_pygame_the_lander_flies_and_render_names_the_extra():
    code = ("import sys; sys.modules['pygame'] = None  # as if not installed\n"
            "from nprl.envs import LanderEnv\n"
            "from nprl.errors import UserError\n"
            "env = LanderEnv(render_mode='rgb_array'); env.reset(seed=0); env.step(1)\n"
            "try:\n    env.render()\nexcept UserError as error:\n    print(error)\n")
    assert _printed_by(code) == ("pygame is needed for this; install it with: "
                                 "pip install 'nprl[render]'")
