"""The Lander's six actions by name, and the action that fires a given set of engines.

Which engines each action fires is :data:`nprl.envs.lander_world.ENGINES`; everything
else here is read off that table, so the heuristic controller, ``nprl play``'s keys and
the pictures' labels cannot disagree with the physics.
"""

from __future__ import annotations

from nprl.envs.lander_world import ENGINES

_ENGINE_NAMES = ("main", "left", "right")

# "nothing", "main", "left", "right", "main+left", "main+right", in action order
ACTION_NAMES: tuple[str, ...] = tuple(
    "+".join(name for name, on in zip(_ENGINE_NAMES, fired, strict=True) if on) or "nothing"
    for fired in ENGINES)


def action_of(main: bool, left: bool, right: bool) -> int:
    """The action that fires exactly these engines (``ValueError`` for both side thrusters,
    which no action fires at once)."""
    fired = (bool(main), bool(left), bool(right))
    if fired not in ENGINES:
        raise ValueError(f"no Lander action fires main={main}, left={left}, right={right}")
    return ENGINES.index(fired)
