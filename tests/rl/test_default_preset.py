"""Which preset ``nprl train --env ID`` uses: the one named after the id, else the one a
preset file marks ``default = true`` for its env (ids such as ``nprl/Lander-v0`` cannot be
file names), else the family's."""

import tomllib
from collections import Counter

from nprl.rl.presets import PRESET_DIR, default_preset


def test_the_default_preset_of_each_kind_of_id():
    assert default_preset("CartPole-v1") == "CartPole-v1"  # named after the id
    assert default_preset("nprl/Lander-v0") == "lander"  # marked default for it
    assert default_preset("MinAtar/Breakout-v1") == "minatar-tuned"  # the family's
    assert default_preset("Pendulum-v1") is None


def test_no_env_has_two_presets_marked_default():
    marked = Counter()
    for path in PRESET_DIR.glob("*.toml"):
        with open(path, "rb") as file:
            document = tomllib.load(file)
        assert document.get("default", False) in (True, False), path.name
        if document.get("default"):
            marked[document["env"]] += 1
    assert marked and max(marked.values()) == 1
