"""``--help`` that teaches, one wording for results, outputs never dropped where unasked.

Issue 16: every sub-command's help ends with real examples, ``nprl --help`` with the
commands a newcomer runs first, every option shows its default; ``--list-presets``
describes each preset; eval and report share one default number of episodes; the result
line is ``wrote <what>: <path>``; qmap of a pretrained agent and a multi-run plot write
into a fresh folder under runs/, never into the current folder.
"""

import argparse
import re
import tomllib

import pytest

from nprl.cli import build_parser, main
from nprl.commands.arguments import EVAL_EPISODES
from nprl.errors import UserError
from nprl.output_paths import check_new_output_dir, fresh_dir
from nprl.rl.config import DQNConfig
from nprl.rl.presets import PRESET_DIR, preset_names


def sub_parsers(parser=None):
    """Every (name, parser) of the nprl command, nested actions (lessons copy) included."""
    parser = parser or build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield name, child
                yield from sub_parsers(child)


COMMANDS = sorted({name for name, _ in sub_parsers()} - {"copy", "check", "html"})


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_help_ends_with_examples(name):
    parser = dict(sub_parsers())[name]
    text = parser.format_help()
    tail = text[text.rindex("examples:"):].splitlines()[1:]
    commands = [line for line in tail if line.startswith("  nprl ")]
    assert len(commands) >= 2, text
    assert all(line.split()[1] == name.split()[0] for line in commands), commands


def test_top_level_help_ends_with_five_first_commands(capsys):
    text = build_parser().format_help()
    start = text[text.index("start here:"):]
    assert len([line for line in start.splitlines() if line.startswith("  nprl ")]) == 5
    assert "nprl train --list-presets" in start and "pretrained:lander" in start


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_says_its_default(name):
    parser = dict(sub_parsers())[name]
    text = " ".join(parser.format_help().split())
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            continue
        if isinstance(action, argparse._StoreTrueAction):
            continue  # a switch: off unless given
        shown = " ".join(parser._get_formatter()._expand_help(action).split()) \
            if action.help else ""
        assert "default" in shown, f"{name} {action.option_strings[0]}: {shown!r}"
    assert "%(" not in text


def test_qmap_axis_options_have_help_and_defaults():
    parser = dict(sub_parsers())["qmap"]
    text = " ".join(parser.format_help().split())
    text = text[text.index("options:"):]  # past the usage line
    for option in ("--x X", "--y Y", "--x-range LOW HIGH", "--y-range LOW HIGH",
                   "--resolution RESOLUTION", "--checkpoint NAME"):
        after = text[text.index(option) + len(option):][:200]
        assert "default" in after.split(" --")[0], option
    assert "(default: 81)" in text


def test_list_presets_describes_every_preset(capsys):
    assert main(["train", "--list-presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for name in preset_names():
        line = next(line for line in lines if line.split()[:1] == [name])
        with open(PRESET_DIR / f"{name}.toml", "rb") as file:
            document = tomllib.load(file)
        assert document["description"] and document["description"] in line
        assert "steps" in document["description"]  # how long it trains


def test_from_preset_gives_the_preset_values_with_changes():
    config = DQNConfig.from_preset("CartPole-v1", total_steps=1234)
    assert config.total_steps == 1234 and config.hidden_sizes == [128, 128]
    assert config.double_q and config.learning_rate == 1e-3
    with pytest.raises(ValueError, match="unknown preset"):
        DQNConfig.from_preset("no-such-preset")


def test_eval_and_report_share_one_episode_default():
    parsers = dict(sub_parsers())
    for name in ("eval", "report"):
        action = next(a for a in parsers[name]._actions if a.dest == "episodes")
        assert action.default == EVAL_EPISODES == 20
        assert f"(default: {EVAL_EPISODES})" in " ".join(parsers[name].format_help().split())


def test_fresh_dir_never_reuses_a_folder(tmp_path):
    base = tmp_path / "runs" / "mnist-modern"
    assert fresh_dir(base) == base
    base.mkdir(parents=True)
    assert fresh_dir(base) == tmp_path / "runs" / "mnist-modern-2"
    (tmp_path / "runs" / "mnist-modern-2").mkdir()
    assert fresh_dir(base).name == "mnist-modern-3"
    (base / "config.json").write_text("{}")
    with pytest.raises(UserError, match="already holds files"):
        check_new_output_dir(base)


def test_qmap_of_a_pretrained_agent_writes_into_a_fresh_folder(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    for expected in ("runs/qmap-lander/qmap.png", "runs/qmap-lander-2/qmap.png"):
        assert main(["qmap", "pretrained:lander", "--resolution", "5"]) == 0
        assert capsys.readouterr().out.strip() == f"wrote Q-map: {expected}"
        assert (tmp_path / expected).is_file()
    assert not list(tmp_path.glob("*.png"))  # nothing dropped in the current folder


def test_last_and_best_evaluation_lines_show_the_same_fields(tmp_path, capsys):
    out = tmp_path / "lander"
    assert main(["train", "--preset", "lander", "--steps", "400", "--out", str(out),
                 "--no-progress", "--set", "eval_interval=200", "--set", "eval_episodes=1",
                 "--set", "learning_starts=100", "--set", "checkpoint_interval=200"]) == 0
    lines = capsys.readouterr().out.splitlines()
    last = next(line for line in lines if line.startswith("last greedy evaluation:"))
    best = next(line for line in lines if line.startswith("best greedy evaluation:"))
    pattern = r"-?\d+\.\d ± \d+\.\d, success \d+% at step \d[\d,]*$"
    assert re.search(pattern, last) and re.search(pattern, best), (last, best)
    assert "best = highest success rate, then mean return" in "\n".join(lines)
    assert f"wrote learning curve: {out / 'learning_curve.png'}" in lines
    assert main(["eval", str(out), "--episodes", "1"]) == 0
    said = capsys.readouterr().out
    assert re.search(r"agent: best checkpoint \(step \d[\d,]*\) of ", said), said
    assert main(["eval", str(out), "--episodes", "1", "--checkpoint", "latest"]) == 0
    assert "agent: latest checkpoint (step 400)" in capsys.readouterr().out
