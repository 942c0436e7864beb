"""Reward shaping from the config and the command line: ``DQNConfig.shaping``, the
``MountainCar-v0-shaped`` preset, ``nprl train --set shaping=...``, and what the run logs
(the task's own return as ``return``, the shaped one beside it, unshaped evaluations)."""

from __future__ import annotations

import csv

import gymnasium as gym
import pytest

from nprl.cli import main
from nprl.envs.wrappers import PotentialShaping
from nprl.rl.config import DQNConfig
from nprl.rl.environments import shaped
from nprl.rl.presets import load_preset, resolve_config
from nprl.rl.train import train

TINY = ["--set", "hidden_sizes=[16]", "--set", "batch_size=16", "--set", "learning_starts=100",
        "--set", "train_freq=4", "--set", "eval_interval=300", "--set", "eval_episodes=1",
        "--set", "checkpoint_interval=300", "--set", "buffer_size=1000", "--no-progress"]


def episode_rows(run_dir, kind="episode"):
    with open(run_dir / "metrics.csv", newline="") as file:
        return [row for row in csv.DictReader(file) if row["kind"] == kind]


@pytest.fixture(scope="module")
def shaped_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("shaped") / "mountaincar"
    assert main(["train", "--env", "MountainCar-v0", "--set", "shaping=energy", "--steps",
                 "600", "--seed", "2", "--out", str(out), *TINY]) == 0
    return out


def test_config_accepts_registered_names_and_none():
    assert DQNConfig().shaping == "none"
    for name in ("", "none", "None", "energy", "upright", "tip_height"):
        assert DQNConfig(shaping=name).shaping == name
    assert DQNConfig().with_overrides(["shaping=energy"]).shaping == "energy"
    # --set parses "none" as None (JSON null): it means off, too
    assert DQNConfig(shaping="energy").with_overrides(["shaping=none"]).shaping == "none"
    assert DQNConfig.from_dict({"shaping": None}).shaping == "none"
    assert DQNConfig().with_overrides(["shaping_scale=12.5"]).shaping_scale == 12.5


def test_an_unknown_name_is_one_clear_line_listing_the_known_ones(capsys):
    assert main(["train", "--env", "MountainCar-v0", "--set", "shaping=potential"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("nprl: error: ")
    assert "unknown shaping 'potential'" in err[0]
    assert all(name in err[0] for name in ("none", "energy", "upright", "tip_height"))


def test_a_potential_for_another_env_is_one_clear_line(capsys, tmp_path):
    assert main(["train", "--env", "CartPole-v1", "--set", "shaping=energy", "--steps", "10",
                 "--out", str(tmp_path / "run"), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("nprl: error: ") and "written for MountainCar-v0" in err[-1]
    assert not (tmp_path / "run").exists()  # refused before anything was written


def test_the_shaped_preset_is_the_mountain_car_preset_plus_energy_shaping():
    env_id, shaped = load_preset("MountainCar-v0-shaped")
    _, plain = load_preset("MountainCar-v0")
    assert env_id == "MountainCar-v0" and shaped["shaping"] == "energy"
    differing = {key for key in {**plain, **shaped} if plain.get(key) != shaped.get(key)}
    # the shaping, a shorter run, a smaller network and a smaller step; nothing else
    assert differing == {"shaping", "total_steps", "hidden_sizes", "learning_rate",
                         "eval_interval", "checkpoint_interval"}
    _, config = resolve_config(None, "MountainCar-v0-shaped")
    assert config.shaping == "energy"


def test_the_training_env_is_shaped_with_the_agents_own_gamma():
    config = DQNConfig(shaping="energy", gamma=0.97, shaping_scale=7.0)
    env = shaped(gym.make("MountainCar-v0"), config)
    assert isinstance(env, PotentialShaping) and env.gamma == 0.97
    assert env.potential([-0.5235987755982988, 0.0]) == pytest.approx(-7.0)
    assert not isinstance(shaped(gym.make("MountainCar-v0"), DQNConfig()), PotentialShaping)


def test_metrics_log_the_unshaped_return_and_the_shaped_one_beside_it(shaped_run):
    rows = episode_rows(shaped_run)
    assert len(rows) >= 2
    for row in rows:
        # MountainCar's own reward is -1 per step: the logged return is exactly -length
        assert float(row["return"]) == -int(row["length"])
        assert row["shaped_return"] != ""
        assert float(row["shaped_return"]) != float(row["return"])


def test_evaluations_score_the_unshaped_reward(shaped_run):
    evals = episode_rows(shaped_run, "eval")
    assert len(evals) == 2
    for row in evals:  # -1 per step, whole numbers: no shaping term got in
        assert float(row["eval_mean"]) == int(float(row["eval_mean"]))
        assert -200 <= float(row["eval_mean"]) <= -1


def test_resume_keeps_shaping(shaped_run):
    assert main(["resume", str(shaped_run), "--steps", "900", "--no-progress"]) == 0
    rows = episode_rows(shaped_run)
    assert int(rows[-1]["step"]) > 600
    assert all(row["shaped_return"] != "" for row in rows)


def test_an_unshaped_run_leaves_the_shaped_column_empty(tmp_path):
    config = DQNConfig(total_steps=250, hidden_sizes=[8], batch_size=8, learning_starts=50,
                       buffer_size=500)
    train("MountainCar-v0", config, run_dir=tmp_path / "plain")
    rows = episode_rows(tmp_path / "plain")
    assert rows and all(row["shaped_return"] == "" for row in rows)
    assert all(float(row["return"]) == -int(row["length"]) for row in rows)


def test_a_users_own_potential_on_an_env_instance():
    """Any function of the observation: shaping CartPole by the cart's position alone."""
    env = PotentialShaping(gym.make("CartPole-v1"), lambda obs: -5.0 * abs(obs[0]), 0.99)
    config = DQNConfig(total_steps=300, hidden_sizes=[8], batch_size=8, learning_starts=50)
    result = train(env, config)
    # CartPole's own reward is +1 per step; the recent returns are whole episode lengths
    assert result.recent_returns and all(r == int(r) for r in result.recent_returns)


def test_report_and_plot_show_both_returns(shaped_run, tmp_path, capsys, saved_figures,
                                           smoothed_episodes):
    from nprl.commands.report import _training_summary
    from nprl.commands.run_target import open_target
    from nprl.rl.run_dir import RunDir

    target = open_target(str(shaped_run), "latest")
    summary = dict(_training_summary(target, RunDir(shaped_run).read_metrics()))
    plain = [key for key in summary if key.startswith("mean return, last")]
    shaped = [key for key in summary if key.startswith("mean shaped return (energy), last")]
    assert len(plain) == len(shaped) == 1
    assert summary[plain[0]] != summary[shaped[0]]
    assert main(["plot", str(shaped_run), "--curves", "--out", str(tmp_path / "c.png")]) == 0
    [picture] = [saved for saved in saved_figures if saved.path == tmp_path / "c.png"]
    # The task's own return and the shaped one the agent learned from, each in its panel.
    [plain_panel] = picture.panels_drawing(*smoothed_episodes(shaped_run, "return"))
    [shaped_panel] = picture.panels_drawing(*smoothed_episodes(shaped_run, "shaped_return"))
    assert "shaped" in shaped_panel and "shaped" not in plain_panel
