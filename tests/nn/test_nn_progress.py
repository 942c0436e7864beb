"""The text progress bar: what it draws, and that it does not redraw on every step."""

import io

from nprl.progress import ProgressBar


def test_progress_bar_draws_fraction_counts_and_postfix():
    out = io.StringIO()
    bar = ProgressBar(total=4, desc="epoch 1", file=out, min_interval=0.0, width=8)
    bar.update(1, loss=0.5)
    bar.update(1)
    assert "epoch 1" in out.getvalue() and "2/4" in out.getvalue()
    assert "|####    |" in out.getvalue() and "loss=0.5" in out.getvalue()
    bar.close()
    assert out.getvalue().endswith("\n")


def test_progress_bar_throttles_redraws_and_can_be_silent():
    out = io.StringIO()
    with ProgressBar(total=10_000, file=out, min_interval=60.0) as bar:
        for _ in range(9_999):
            bar.update()
    assert out.getvalue().count("\r") <= 3  # first draw, the final step, close
    quiet = io.StringIO()
    with ProgressBar(total=3, file=quiet, disable=True) as bar:
        bar.update(3)
    assert quiet.getvalue() == ""


def test_progress_bar_without_total_counts():
    out = io.StringIO()
    bar = ProgressBar(file=out, min_interval=0.0)
    bar.update(5)
    assert "5 [" in out.getvalue()
