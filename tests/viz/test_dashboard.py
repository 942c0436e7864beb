"""``nprl plot``: a dashboard PNG of every metric for real run directories (CartPole and
the Lander, one run and two seeds), and one clear line for a folder that is not a run."""

import shutil

import pytest

from nprl.cli import main
from nprl.rl.metrics import METRICS
from nprl.viz.dashboard import _panels

pytest.importorskip("matplotlib")

TINY = ["--set", "hidden_sizes=[16]", "--set", "batch_size=16", "--set", "learning_starts=100",
        "--set", "train_freq=4", "--set", "gradient_steps=1", "--set", "log_interval=100",
        "--set", "eval_interval=200", "--set", "eval_episodes=1",
        "--set", "checkpoint_interval=0", "--no-progress"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Real run directories written by ``nprl train``: two CartPole seeds, one Lander run."""
    root = tmp_path_factory.mktemp("plot-runs")
    for seed in (1, 2):
        assert main(["train", "--steps", "400", "--seed", str(seed),
                     "--out", str(root / f"cartpole-s{seed}"), *TINY]) == 0
    assert main(["train", "--preset", "lander", "--steps", "600", "--out", str(root / "lander"),
                 "--set", "buffer_size=1000", *TINY]) == 0
    return root


def saved_to(saved_figures, path):
    """The figure saved to ``path``, checked to be a PNG of a readable size."""
    [picture] = [saved for saved in saved_figures if saved.path == path]
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width = picture.pixels()
    assert height >= 300 and width >= 1000
    return picture


def test_one_run_gives_its_dashboard_next_to_it(runs, capsys, saved_figures,
                                                smoothed_episodes):
    assert main(["plot", str(runs / "lander")]) == 0
    assert f"dashboard: {runs / 'lander' / 'dashboard.png'}" in capsys.readouterr().out
    picture = saved_to(saved_figures, runs / "lander" / "dashboard.png")
    assert picture.title.startswith("nprl/Lander-v0 · lander · 600 steps")
    titles = picture.panel_titles()
    for shown in ("training success rate", "greedy evaluation: success rate", "TD loss"):
        assert any(title.startswith(shown) for title in titles), (shown, titles)
    assert picture.panels_drawing(*smoothed_episodes(runs / "lander"))


def test_two_seeds_in_one_dashboard(runs, tmp_path, monkeypatch, saved_figures):
    monkeypatch.chdir(tmp_path)  # several runs, no --out: a fresh folder under runs/
    assert main(["plot", str(runs / "cartpole-s1"), str(runs / "cartpole-s2"),
                 "--title", "two seeds", "--smooth", "5"]) == 0
    [written] = tmp_path.glob("runs/compare-*/dashboard.png")
    picture = saved_to(saved_figures, written.relative_to(tmp_path))
    assert picture.title == "two seeds"
    # One curve for the two seeds: their mean, in a band from the lower to the higher.
    returns = picture.panel("episode return")
    [line] = returns.get_lines()
    legend = [text.get_text() for text in returns.get_legend().get_texts()]
    assert legend == ["cartpole-s1 (x2 seeds)"]
    [band] = returns.collections
    low, high = band.get_paths()[0].vertices[:, 1].min(), band.get_paths()[0].vertices[:, 1].max()
    assert low <= line.get_ydata().min() and line.get_ydata().max() <= high
    assert not list(tmp_path.glob("*.png"))  # never dropped in the current folder


def test_curves_option_draws_the_short_learning_curve_figure(runs, tmp_path, monkeypatch,
                                                             saved_figures):
    monkeypatch.chdir(tmp_path)
    assert main(["plot", str(runs / "cartpole-s1"), str(runs / "cartpole-s2"), "--curves"]) == 0
    [written] = tmp_path.glob("runs/compare-*/*.png")
    assert written.name == "learning_curves.png"
    picture = saved_to(saved_figures, written.relative_to(tmp_path))
    # Training returns and greedy evaluations only: no loss, no epsilon.
    assert len(picture.panel_titles()) == 2
    assert all("episode" in title or "evaluation" in title for title in picture.panel_titles())
    assert not list(tmp_path.glob("*.png"))


def test_the_dashboard_has_a_panel_for_every_metric_of_the_issue():
    drawn = {column for panel in _panels(20, ["0", "2"]) for _, column, _ in panel.lines}
    # Counters, timing and the spread of one evaluation are the only columns not drawn;
    # success_rate (train rows) repeats the moving average of the episodes' success.
    not_drawn = {"kind", "step", "episode", "time", "eval_std", "eval_min", "eval_max",
                 "success_rate"}
    assert drawn == (set(METRICS) - not_drawn) | {"weight_norm/0", "weight_norm/2"}


def test_plot_dashboard_from_python(runs, tmp_path, saved_figures, smoothed_episodes):
    from nprl.viz.dashboard import plot_dashboard

    path = plot_dashboard([runs / "cartpole-s1"], tmp_path / "sub" / "one.png", smooth=3)
    assert path == tmp_path / "sub" / "one.png"
    picture = saved_to(saved_figures, path)
    assert picture.panels_drawing(*smoothed_episodes(runs / "cartpole-s1", window=3))
    with pytest.raises(ValueError, match="smooth must be at least 1"):
        plot_dashboard([runs / "lander"], tmp_path / "x.png", smooth=0)


def broken_runs(runs, tmp_path):
    """Folders that are not (complete) run directories, and what the error must say."""
    no_metrics = tmp_path / "no-metrics"
    no_metrics.mkdir(parents=True)
    shutil.copy(runs / "cartpole-s1" / "config.json", no_metrics)
    empty = tmp_path / "empty"
    shutil.copytree(no_metrics, empty)
    (empty / "metrics.csv").write_text("")
    header_only = tmp_path / "header-only"
    shutil.copytree(no_metrics, header_only)
    lines = (runs / "cartpole-s1" / "metrics.csv").read_text().splitlines()
    (header_only / "metrics.csv").write_text(lines[0] + "\n")
    not_a_run = tmp_path / "not-a-run"
    not_a_run.mkdir()
    return [
        (tmp_path / "missing", "does not exist"),
        (not_a_run, "is not an nprl run directory: it has no config.json"),
        (no_metrics, "has no metrics.csv"),
        (empty, "does not have nprl's metric columns"),
        (header_only, "has no rows yet"),
    ]


@pytest.mark.parametrize("option", [[], ["--curves"]])
def test_a_wrong_or_incomplete_run_directory_is_one_clear_line(runs, tmp_path, capsys, option):
    for folder, message in broken_runs(runs, tmp_path / "broken"):
        assert main(["plot", str(runs / "cartpole-s1"), str(folder), *option,
                     "--out", str(tmp_path / "x.png")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("nprl: error: ")
        assert message in err[0] and str(folder) in err[0]
    assert not (tmp_path / "x.png").exists()
    assert main(["plot", str(runs / "lander"), "--smooth", "0"]) == 2
    assert "argument --smooth: expected a whole number >= 1" in capsys.readouterr().err


def test_dashboard_reads_at_a_glance(runs, saved_figures, tmp_path):
    from nprl.viz.dashboard import plot_dashboard

    plot_dashboard([runs / "cartpole-s1"], tmp_path / "d.png")
    [picture] = saved_figures
    assert picture.title == "CartPole-v1 · cartpole-s1 · 400 steps"
    # A fixed learning rate: one flat line, well inside a sensible axis.
    lr = picture.panel("learning rate")
    [line] = lr.get_lines()
    values = line.get_ydata()
    assert len(values) > 1 and values.min() == values.max()
    low, high = lr.get_ylim()
    assert low < values[0] * 0.75 and high > values[0] * 1.25
    # Weight norms named by what each layer is.
    legend = [text.get_text() for text in picture.panel("weight norm").get_legend().get_texts()]
    assert legend == ["Dense 4->16", "Dense 16->2"]
    # Evaluations: each point marked.
    assert picture.panel("greedy evaluation: mean").get_lines()[0].get_marker() == "o"
    # Speed: the start-up interval is left out.
    [speed] = picture.panel("steps per second").get_lines()
    rows = [row for row in (runs / "cartpole-s1" / "metrics.csv").read_text().splitlines()
            if row.startswith("train,")]
    assert len(speed.get_xdata()) == len(rows) - 1


def test_same_seed_twice_is_not_two_seeds(runs, tmp_path):
    from nprl.viz.learning_curve import group_runs

    shutil.copytree(runs / "cartpole-s1", tmp_path / "again")
    labels = list(group_runs([runs / "cartpole-s1", tmp_path / "again"]))
    assert labels == ["cartpole-s1 (x2 runs, all seed 1)"]
    assert list(group_runs([runs / "cartpole-s1", runs / "cartpole-s2"])) == \
        ["cartpole-s1 (x2 seeds)"]
    both = list(group_runs([runs / "cartpole-s1", runs / "lander"]))
    assert both == ["CartPole-v1: cartpole-s1", "nprl/Lander-v0: lander"]


def test_the_learning_curves_are_the_dashboards_return_success_and_evaluation_panels(
        runs, saved_figures, tmp_path):
    from nprl.viz.dashboard import LEARNING_CURVES, plot_dashboard

    plot_dashboard([runs / "lander"], tmp_path / "c.png", smooth=5, metrics=LEARNING_CURVES)
    [picture] = [saved for saved in saved_figures if saved.path == tmp_path / "c.png"]
    assert picture.panel_titles() == [
        "episode return (moving average of 5 episodes)",
        "training success rate (moving average of 5 episodes)",
        "greedy evaluation: mean return", "greedy evaluation: success rate"]
    for title in picture.panel_titles():  # each panel has its curve (or evaluation points)
        assert len(picture.panel_axes(title).get_lines()[0].get_xdata()) >= 1
    assert len(picture.curves("episode return")) >= 1
    assert picture.title == "nprl/Lander-v0 · lander · 600 steps"
