"""Fly the Lander yourself with the keyboard (``nprl play``).

Arrow keys: UP fires the main engine, LEFT the left thruster (turns counter-clockwise),
RIGHT the right thruster (turns clockwise); UP with LEFT or RIGHT fires both. R restarts,
ESC or closing the window quits. The HUD is the same as when watching an agent, with the
keys written at the bottom of the window (and printed in the terminal). Each episode waits,
frozen, until the first arrow key: with no one at the keys, nothing crashes.
"""

from __future__ import annotations

import os

from nprl.envs.lander_actions import action_of
from nprl.envs.registration import LANDER_ID
from nprl.errors import require

# The controls, in the window and in the terminal.
KEY_HINTS = ["UP main engine   LEFT / RIGHT turn (side thrusters)",
             "R restart   ESC quit   land slowly, upright, on the yellow pad"]
WAITING = "press an arrow key to start"


def keys_to_action(up: bool, left: bool, right: bool) -> int:
    """The Lander action for a set of held arrow keys (LEFT wins over RIGHT)."""
    return action_of(up, left, right and not left)


def play(stage: int = 3, seed: int | None = None, max_steps: int | None = None) -> list[str]:
    """Open a window and let a person fly; return the outcome of each finished episode.

    ``max_steps`` ends the session after that many steps (for tests; None: until closed).
    """
    import gymnasium as gym

    pygame = require("pygame")
    # registered by ``import nprl``, which importing this module has done
    env = gym.make(LANDER_ID, render_mode="human", stage=stage)
    lander = env.unwrapped
    outcomes: list[str] = []
    print("controls: " + "; ".join(KEY_HINTS))
    lander.hud_hint = [*KEY_HINTS, WAITING]
    env.reset(seed=seed)
    steps = 0
    waiting = True  # frozen until the first arrow key of the episode
    try:
        while max_steps is None or steps < max_steps:
            for event in pygame.event.get():
                if event.type == pygame.QUIT or (event.type == pygame.KEYDOWN
                                                 and event.key == pygame.K_ESCAPE):
                    return outcomes
                if event.type == pygame.KEYDOWN and event.key == pygame.K_r:
                    lander.hud_hint, waiting = [*KEY_HINTS, WAITING], True
                    env.reset()
            keys = pygame.key.get_pressed()
            action = keys_to_action(keys[pygame.K_UP], keys[pygame.K_LEFT], keys[pygame.K_RIGHT])
            if waiting:
                if action == 0:
                    env.render()  # the same frame again, hint included; no time passes
                    steps += max_steps is not None  # a test without keys still ends
                    continue
                lander.hud_hint, waiting = list(KEY_HINTS), False
            _, _, terminated, truncated, info = env.step(action)
            steps += 1
            if terminated or truncated:
                outcomes.append(info["outcome"] if terminated else "time_limit")
                print(f"episode {len(outcomes)}: {outcomes[-1]}, "
                      f"return {env.unwrapped.episode_return:.1f}")
                if "SDL_VIDEODRIVER" not in os.environ:
                    pygame.time.wait(1200)  # let the person see how it ended
                lander.hud_hint, waiting = [*KEY_HINTS, WAITING], True
                env.reset()
    finally:
        env.close()
    return outcomes
