"""The ``nprl`` command: help works and user mistakes give one clear line."""

import subprocess
import sys


def run_nprl(*args):
    return subprocess.run(
        [sys.executable, "-m", "nprl", *args], capture_output=True, text=True, timeout=120
    )


def test_help_lists_commands():
    result = run_nprl("--help")
    assert result.returncode == 0
    assert "usage: nprl" in result.stdout


def test_unknown_command_is_one_clear_error():
    result = run_nprl("no-such-command")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "invalid choice" in result.stderr
