"""The MinAtar agents shipped in nprl/pretrained play far above a random policy."""

import numpy as np
import pytest

from nprl.rl.evaluate import evaluate
from nprl.rl.pretrained import load_pretrained
from nprl.rl.train import make_env

# Floors: about half of what the agents scored over 100 episodes (benchmarks/RESULTS.md);
# a random policy scores about 0.5 on Breakout and 3 on SpaceInvaders.
SHIPPED = [("minatar-breakout", "MinAtar/Breakout-v1", 5.0),
           ("minatar-spaceinvaders", "MinAtar/SpaceInvaders-v1", 15.0)]


@pytest.mark.parametrize("name, env_id, floor", SHIPPED)
def test_the_shipped_minatar_agent_scores_far_above_random(name, env_id, floor):
    loaded_id, env_kwargs, agent = load_pretrained(name)
    assert loaded_id == env_id
    assert agent.network_kind == "minatar_cnn" and agent.obs_dtype == np.bool_
    stats = evaluate(agent, make_env(env_id, **env_kwargs), episodes=10, seed=123)
    assert stats["mean"] >= floor
