"""nprl.physics: a small 2D rigid-body engine in the spirit of Box2D-Lite.

Convex polygons (and compound bodies of several), semi-implicit Euler at a fixed step,
SAT collision with clipping, sequential impulses with friction, restitution, warm starting
and positional correction. Plain Python floats throughout (see ``vec.py``); no rendering
here (drawing lives in ``nprl.envs.drawing``).

Units: metres, kilograms, seconds; y points up; angles in radians, counter-clockwise.

Files, in reading order: ``vec.py`` (2-vectors, input checks), ``polygon.py`` (shapes),
``body.py`` (mass and state), ``manifold.py`` (what a contact is), ``narrowphase.py``
(SAT and clipping: ``collide``), ``broadphase.py`` (bounding boxes), ``solver.py``
(impulses), ``world.py`` (the step).
"""

from nprl.physics.body import Body
from nprl.physics.manifold import Manifold
from nprl.physics.narrowphase import collide, collide_shapes
from nprl.physics.polygon import Polygon, box
from nprl.physics.world import World

__all__ = ["Body", "Manifold", "Polygon", "World", "box", "collide", "collide_shapes"]
