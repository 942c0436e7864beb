"""Training on the Lander: env settings reach the env, success is logged, the best
evaluated agent is kept, the curriculum survives a resume, and agents ship small."""

import json

import numpy as np
import pytest

import nprl  # noqa: F401  (registers nprl/Lander-v0)
from nprl.envs import LanderEnv, heuristic_action
from nprl.fileio import write_manifest
from nprl.rl.agent import DQNAgent
from nprl.rl.config import DQNConfig
from nprl.rl.evaluate import evaluate
from nprl.rl.pretrained import load_pretrained
from nprl.rl.run_dir import RunDir
from nprl.rl.train import make_env, resume, train

TINY = dict(total_steps=800, seed=3, hidden_sizes=[16], batch_size=16, buffer_size=2_000,
            learning_starts=100, train_freq=4, log_interval=200, eval_interval=400,
            eval_episodes=1, checkpoint_interval=300)


def lander_config(**changes):
    return DQNConfig(**{**TINY, "env_kwargs": {"stage": 0, "gravity": 4.0},
                        "eval_env_kwargs": {"stage": 3}, **changes})


def test_env_kwargs_reach_training_and_evaluation_envs():
    config = lander_config()
    train_env = make_env("nprl/Lander-v0", **config.env_kwargs)
    eval_env = make_env("nprl/Lander-v0", **{**config.env_kwargs, **config.eval_env_kwargs})
    assert train_env.unwrapped.config.gravity == 4.0 and train_env.unwrapped.curriculum.stage == 0
    assert eval_env.unwrapped.config.gravity == 4.0 and eval_env.unwrapped.curriculum.stage == 3
    with pytest.raises(ValueError, match="does not take"):
        make_env("CartPole-v1", stage=3)


class ScriptedLander:
    """An agent that flies the Lander by the shipped heuristic, or cuts its engines (and
    falls: a crash) from the ``idle_from``-th episode on; episodes are told apart by their
    start: stage 0 starts at rest, which a falling or firing lander never is."""

    def __init__(self, idle_from=None):
        self.idle_from, self.episode, self.rng = idle_from, 0, np.random.default_rng(0)

    def act(self, obs, *args, **kwargs):
        if not obs[2] and not obs[3] and not obs[6]:  # vx = vy = spin = 0: a new episode
            self.episode += 1
        idle = self.idle_from is not None and self.episode >= self.idle_from
        return 0 if idle else heuristic_action(obs)


@pytest.mark.parametrize("idle_from, rate", [(None, 1.0), (2, 0.5), (1, 0.0)])
def test_evaluate_reports_the_success_rate(idle_from, rate):
    # Lands in every episode, in the first only, or in none: 2/2, 1/2, 0/2.
    env = make_env("nprl/Lander-v0", stage=0)
    stats = evaluate(ScriptedLander(idle_from), env, episodes=2, seed=0)
    assert stats["success_rate"] == rate


def test_evaluate_reports_no_success_rate_for_an_env_without_success():
    cartpole = make_env("CartPole-v1")
    agent = DQNAgent(cartpole.observation_space, cartpole.action_space,
                     DQNConfig(hidden_sizes=[8]))
    assert evaluate(agent, cartpole, episodes=1, seed=0)["success_rate"] is None


def episode_successes(rows, after=-1):
    """Landings among the logged training episodes that ended after step ``after``."""
    return sum(row["success"] == "1" for row in rows
               if row["kind"] == "episode" and int(row["step"]) > after)


def test_lander_run_logs_success_keeps_best_and_resumes_the_curriculum(tmp_path, monkeypatch):
    # The training env follows the curriculum (no fixed stage); evaluation stays at stage 3.
    config = lander_config(total_steps=600, env_kwargs={"gravity": 4.0})
    stages = []  # the stage of every training episode, as the env reports it at reset
    reset = LanderEnv.reset

    def reset_and_note_the_stage(self, **kwargs):
        obs, info = reset(self, **kwargs)
        if self.curriculum.fixed_stage is None:
            stages.append(info["stage"])
        return obs, info

    monkeypatch.setattr(LanderEnv, "reset", reset_and_note_the_stage)
    run_dir = tmp_path / "run"
    train("nprl/Lander-v0", config, run_dir=run_dir)
    run = RunDir(run_dir)
    rows = run.read_metrics()
    assert any(row["kind"] == "episode" and row["success"] in ("0", "1") for row in rows)
    assert any(row["kind"] == "eval" and row["eval_success"] != "" for row in rows)
    best = run.best_checkpoint()
    assert best is not None
    assert json.loads((best / "state.json").read_text())["step"] == 400
    state = json.loads((run.latest_checkpoint() / "state.json").read_text())
    # The final checkpoint (step 600) counts exactly the landings logged before it.
    assert state["env_state"]["successes"] == episode_successes(rows)
    assert stages and set(stages) == {0}  # fewer than 100 landings: stage 0 throughout

    # Pretend the run had landed 150 times: a resumed run must carry on from stage 1.
    state["env_state"]["successes"] = 150
    (run.latest_checkpoint() / "state.json").write_text(json.dumps(state))
    write_manifest(run.latest_checkpoint())  # edited on purpose, not damaged
    stages.clear()
    seen = []
    resume(run_dir, total_steps=700,
           callback=lambda step, agent: seen.append(step))
    assert seen and seen[-1] == 700
    assert stages and set(stages) == {1}
    env_state = json.loads((run.latest_checkpoint() / "state.json").read_text())["env_state"]
    resumed_rows = run.read_metrics()
    assert env_state["successes"] == 150 + episode_successes(resumed_rows, after=600)


def test_policy_only_save_is_small_and_acts_like_the_agent(tmp_path):
    env = make_env("nprl/Lander-v0")
    agent = DQNAgent(env.observation_space, env.action_space, DQNConfig(hidden_sizes=[32, 32]))
    agent.save_policy(tmp_path / "policy")
    agent.save(tmp_path / "full")
    size = sum(p.stat().st_size for p in (tmp_path / "policy").rglob("*") if p.is_file())
    full = sum(p.stat().st_size for p in (tmp_path / "full").rglob("*") if p.is_file())
    assert size < full
    assert sorted(p.name for p in (tmp_path / "policy").iterdir()) == [
        "MANIFEST.json", "agent.json", "q_net"]
    loaded = DQNAgent.load(tmp_path / "policy")
    obs = np.random.default_rng(0).normal(size=(20, 9)).astype(np.float32)
    np.testing.assert_array_equal(loaded.q_values(obs), agent.q_values(obs))


def test_unknown_pretrained_agent_is_a_clear_error():
    with pytest.raises(ValueError, match="no pretrained agent 'nope'"):
        load_pretrained("nope")


def test_learning_curves_of_old_runs_without_success_columns(tmp_path, saved_figures,
                                                             smoothed_episodes):
    from nprl.viz.dashboard import LEARNING_CURVES, plot_dashboard

    run_dir = tmp_path / "old"
    train("CartPole-v1", DQNConfig(**{**TINY, "eval_interval": 0}), run_dir=run_dir)
    metrics = run_dir / "metrics.csv"
    lines = metrics.read_text().splitlines()
    columns = lines[0].split(",")
    keep = [i for i, name in enumerate(columns) if name not in ("success", "eval_success")]
    metrics.write_text("\n".join(",".join(line.split(",")[i] for i in keep)
                                 for line in lines) + "\n")
    out = plot_dashboard([run_dir], tmp_path / "curve.png", metrics=LEARNING_CURVES)
    [picture] = [saved for saved in saved_figures if saved.path == out]
    assert picture.panels_drawing(*smoothed_episodes(run_dir))  # the returns are drawn
    assert not [title for title in picture.panel_titles() if "success" in title]


def test_the_shipped_lander_agent_lands():
    env_id, env_kwargs, agent = load_pretrained("lander")
    env = make_env(env_id, **env_kwargs)
    assert env.unwrapped.curriculum.stage == 3
    stats = evaluate(agent, env, episodes=10, seed=123)
    assert stats["success_rate"] >= 0.8
