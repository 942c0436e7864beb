"""``nprl train / resume / eval / plot``: a tiny run end to end, and one clear line per mistake."""

import csv
import json
import subprocess
import sys

import pytest

from nprl.cli import main

TINY = ["--set", "hidden_sizes=[16]", "--set", "batch_size=16", "--set", "learning_starts=100",
        "--set", "train_freq=4", "--set", "eval_interval=200", "--set", "eval_episodes=2",
        "--set", "checkpoint_interval=200", "--no-progress"]


@pytest.fixture(scope="module")
def training(tmp_path_factory, catch_figures):
    """A tiny CartPole run and the figures that ``nprl train`` saved."""
    out = tmp_path_factory.mktemp("runs") / "cartpole"
    with catch_figures() as saved:
        assert main(["train", "--steps", "400", "--seed", "3", "--out", str(out), *TINY]) == 0
    return out, saved


@pytest.fixture(scope="module")
def trained_run(training):
    return training[0]


def test_train_writes_a_complete_run_directory(training, smoothed_episodes):
    trained_run, saved = training
    document = json.loads((trained_run / "config.json").read_text())
    assert document["env_id"] == "CartPole-v1"
    config = document["config"]
    assert config["total_steps"] == 400 and config["seed"] == 3 and config["hidden_sizes"] == [16]
    # the CartPole preset supplied what --set did not
    assert config["learning_rate"] == 1e-3 and config["target_update_interval"] == 10
    header = (trained_run / "metrics.csv").read_text().splitlines()[0]
    assert header.startswith("kind,step,episode,return,length,epsilon,td_loss,q_mean")
    assert (trained_run / "checkpoints" / "latest").is_file()
    [picture] = saved
    assert picture.path == trained_run / "learning_curve.png"
    assert picture.title.startswith("CartPole-v1 · cartpole · 400 steps")
    drawn = picture.panels_drawing(*smoothed_episodes(trained_run))  # the returns, smoothed
    assert drawn and all("episode" in title for title in drawn), picture.panel_titles()
    height, width = picture.pixels()
    assert height >= 400 and width >= 600  # readable, not a thumbnail


def test_eval_resume_and_plot(trained_run, capsys, tmp_path, saved_figures,
                              smoothed_episodes):
    assert main(["eval", str(trained_run), "--episodes", "2"]) == 0
    assert "mean return" in capsys.readouterr().out
    assert main(["resume", str(trained_run), "--steps", "500", "--no-progress"]) == 0
    with open(trained_run / "metrics.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    steps = [int(row["step"]) for row in rows]
    latest = (trained_run / "checkpoints" / "latest").read_text().strip()
    assert int(latest.rpartition("_")[2]) == 500  # it trained on to 500 and saved there
    assert max(steps) <= 500  # and no further
    assert steps == sorted(steps)
    # The episodes go on counting where the first run stopped: 1, 2, ... with no restart.
    episodes = [int(row["episode"]) for row in rows if row["kind"] == "episode"]
    assert episodes == list(range(1, len(episodes) + 1))
    png = tmp_path / "curves.png"
    assert main(["plot", str(trained_run), str(trained_run), "--out", str(png)]) == 0
    [picture] = [saved for saved in saved_figures if saved.path == png]
    titles = picture.panel_titles()
    # 500 steps log no training interval yet: the panels of what was logged, no empty ones
    assert len(titles) == 3 and "episode return" in titles[0], titles
    assert "episode length" in titles[1] and "evaluation" in titles[2], titles
    drawn = picture.panels_drawing(*smoothed_episodes(trained_run))  # twice: one curve
    assert drawn and all("episode" in title for title in drawn), titles
    height, width = picture.pixels()
    assert height >= 300 and width >= 1000  # three panels side by side


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--env", "NoSuchEnv-v0"], "unknown environment 'NoSuchEnv-v0'"),
        (["train", "--preset", "nope"], "unknown preset 'nope'"),
        (["train", "--set", "no_such_key=1"], "unknown setting 'no_such_key'"),
        (["train", "--set", "gamma=2"], "gamma must lie in [0, 1]"),
        (["train", "--env", "Pendulum-v1"], "discrete action space"),
        (["eval", "{missing}"], "does not exist"),
        (["resume", "{missing}"], "does not exist"),
        (["plot", "{missing}"], "does not exist"),
        (["eval", "{not_a_run}"], "config.json"),
        (["eval", "{trained}", "--epsilon", "2"], "argument --epsilon: expected a number in"),
        (["train", "--out", "{trained}"], "already holds a run"),
    ],
)
def test_user_mistakes_are_one_clear_line(argv, message, capsys, tmp_path, trained_run):
    paths = {"missing": tmp_path / "missing", "not_a_run": tmp_path, "trained": trained_run}
    argv = [arg.format(**paths) for arg in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("nprl: error: ") and message in err[-1]


def test_a_mistake_in_a_real_process_has_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "nprl", "resume", str(tmp_path / "nope")],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "does not exist" in result.stderr


def test_presets_all_load():
    from nprl.rl.presets import load_preset, preset_names

    names = preset_names()
    for expected in ("CartPole-v1", "Acrobot-v1", "MountainCar-v0", "LunarLander-v3",
                     "cartpole-tutorial", "cartpole-zoo", "lander", "lander-article"):
        assert expected in names
    for name in names:  # every preset's settings and env keywords are accepted
        env_id, settings = load_preset(name)
        assert env_id
    env_id, settings = load_preset("cartpole-tutorial")
    assert env_id == "CartPole-v1" and settings["hidden_sizes"] == [64]
    assert settings["optimizer"] == "rmsprop" and settings["epsilon_decay_rate"] == 0.001


def test_lander_presets_build_their_envs():
    from nprl.rl.presets import resolve_config
    from nprl.rl.train import make_env

    for preset in ("lander", "lander-article"):
        env_id, config = resolve_config(None, preset)
        assert env_id == "nprl/Lander-v0"
        env = make_env(env_id, **{**config.env_kwargs, **config.eval_env_kwargs})
        assert env.unwrapped.curriculum.stage == 3  # evaluated on the full task
    _, article = resolve_config(None, "lander-article")
    assert (article.buffer_size, article.buffer_prune_to) == (1500, 500)
    assert article.activation == "tanh" and article.optimizer == "sgd" and article.loss == "mse"
    assert article.epsilon_schedule == "multiplicative" and article.success_buffer
