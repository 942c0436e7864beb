"""The physics demo: scenes of ``nprl.physics.scenes`` in a pygame window, or as a GIF.

Window keys: 1-5 pick a scene, N next scene, R restart, SPACE pause, C contacts on/off,
ESC quit. ``save_gif`` runs headless (SDL's dummy video driver), so it works on a server
or in CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import numpy as np

from nprl.envs.drawing import Camera, draw_caption, draw_world, surface_to_frame
from nprl.envs.lander_world import resting_scene
from nprl.errors import UserError, require
from nprl.physics.scenes import SCENES as ENGINE_SCENES
from nprl.physics.scenes import Scene

SIZE = (800, 560)
# The engine's scenes, then the Lander's body on its pad (the engine knows no task).
SCENES = {**ENGINE_SCENES, "lander": resting_scene}


def _make_scene(name: str) -> Scene:
    if name not in SCENES:
        raise UserError(f"unknown scene {name!r}; choose one of: {', '.join(SCENES)}")
    return SCENES[name]()


def _advance(scene: Scene) -> None:
    if scene.on_step is not None:
        scene.on_step(scene.world)
    scene.world.step()


def _draw_scene(surface, scene: Scene, camera: Camera, contacts: bool = True,
                hint: Sequence[str] = ()) -> None:
    """The scene's world, its name and description, the time and contact count, ``hint``."""
    draw_world(surface, scene.world, camera, contacts=contacts)
    status = f"t = {scene.world.time:5.2f} s   contacts: {len(scene.world.contacts)}"
    draw_caption(surface, [f"{scene.name}: {scene.description}", status, *hint])


STILL_SPEED = 0.05  # m/s and rad/s: below this every body counts as at rest
STILL_SECONDS = 0.5  # a GIF shows this long of stillness, then moves to the next scene
MIN_SECONDS = 2.0  # ...but every scene for at least this long (a stack that stands still)


def is_still(world) -> bool:
    """Every moving body slower than :data:`STILL_SPEED` (and turning slower)."""
    return all(float(np.hypot(*body.velocity)) < STILL_SPEED
               and abs(body.angular_velocity) < STILL_SPEED
               for body in world.bodies if not body.static)


def iter_frames(name: str, seconds: float, every: int = 2,
                size: tuple[int, int] = SIZE, until_still: bool = False) -> Iterator[np.ndarray]:
    """Run scene ``name`` for ``seconds`` of simulated time, headless, yielding one RGB
    frame (height, width, 3) uint8 every ``every`` physics steps (the first frame is the
    initial state). ``until_still``: stop earlier, once every body has been at rest for
    :data:`STILL_SECONDS` (a scene is shown as long as something happens)."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    pygame = require("pygame")
    pygame.display.init()
    pygame.font.init()
    scene = _make_scene(name)
    camera = Camera(scene.view, size)
    surface = pygame.Surface(size)
    steps = max(1, round(seconds / scene.world.dt))
    still_steps, still_needed = 0, round(STILL_SECONDS / scene.world.dt)
    for k in range(steps + 1):
        still_steps = still_steps + 1 if until_still and k and is_still(scene.world) else 0
        if still_steps > still_needed and k * scene.world.dt >= min(MIN_SECONDS, seconds):
            return
        if k % every == 0:
            _draw_scene(surface, scene, camera)
            yield surface_to_frame(surface)
        if k < steps:
            _advance(scene)


def save_gif(names: str | list[str], path: str, seconds: float = 6.0, every: int = 2) -> int:
    """Render scenes headless into one animated GIF that plays in real time, one frame at a
    time (memory stays flat): each scene in turn, for as long as something moves in it (at
    most ``seconds``). Returns the number of frames written."""
    from nprl.viz.video import VideoWriter

    names = [names] if isinstance(names, str) else list(names)
    fps = 1.0 / (every * _make_scene(names[0]).world.dt)  # every scene steps at 1/60 s
    try:
        with VideoWriter(path, fps) as writer:
            for name in names:
                for frame in iter_frames(name, seconds, every, until_still=True):
                    writer.append(frame)
    except ValueError as error:
        raise UserError(str(error)) from None
    return writer.frames_written


KEYS = "1-5 scene  N next  R restart  SPACE pause  C contacts  ESC quit"


def run_window(name: str, seconds: float | None = None) -> None:
    """Open a window and play scenes until ESC (or for ``seconds`` of simulated time)."""
    pygame = require("pygame")
    pygame.display.init()  # not pygame.init(): no audio, so no ALSA noise on servers
    pygame.font.init()
    try:
        screen = pygame.display.set_mode(SIZE)
    except pygame.error as error:
        raise UserError(
            f"cannot open a window ({error}); use --gif FILE to render headless"
        ) from error
    pygame.display.set_caption("nprl physics demo")
    names = list(SCENES)
    scene = _make_scene(name)
    camera = Camera(scene.view, SIZE)
    clock = pygame.time.Clock()
    paused, show_contacts, elapsed = False, True, 0.0
    while seconds is None or elapsed < seconds:
        for event in pygame.event.get():
            if event.type == pygame.QUIT or (
                event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE
            ):
                pygame.quit()
                return
            if event.type == pygame.KEYDOWN:
                pick = None
                if pygame.K_1 <= event.key <= pygame.K_9 and event.key - pygame.K_1 < len(names):
                    pick = names[event.key - pygame.K_1]
                elif event.key == pygame.K_n:
                    pick = names[(names.index(scene.name) + 1) % len(names)]
                elif event.key == pygame.K_r:
                    pick = scene.name
                elif event.key == pygame.K_SPACE:
                    paused = not paused
                elif event.key == pygame.K_c:
                    show_contacts = not show_contacts
                if pick is not None:
                    scene = _make_scene(pick)
                    camera = Camera(scene.view, SIZE)
        if not paused:
            _advance(scene)
            elapsed += scene.world.dt
        _draw_scene(screen, scene, camera, show_contacts, [KEYS])
        pygame.display.flip()
        clock.tick(round(1.0 / scene.world.dt))
    pygame.quit()
