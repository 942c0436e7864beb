"""The grading toolkit: hints name what differs, run_check never raises, verdict lines parse."""

import numpy as np
import pytest

from nprl.lessons.grading import (
    MARKER,
    NotYet,
    Verdict,
    Wrong,
    array_hint,
    check,
    expect_gradient,
    expect_scalar,
    numerical_gradient,
    parse_verdicts,
    reject_planted_bug,
    run_check,
    sample,
)

X = sample((3, 4), seed=0)


def test_equal_arrays_give_no_hint():
    assert array_hint(X.copy(), X) is None
    assert array_hint(X.astype(np.float32), X) is None


@pytest.mark.parametrize("got, words", [
    (None, "forget `return`"),
    (X.T, "transpose of the right answer"),
    (-X, "opposite sign"),
    (2 * X, "2 times"),
    (X + 0.5, "+0.5"),
    (X[:, :, None], "extra axis"),
    (np.where(X > 1, np.nan, X), "NaN"),
    ((X > 0).astype(int), "integer/boolean"),
    (X.reshape(4, 3), "reshaped"),
    (X.reshape(2, 6), "different arrangement"),
])
def test_hint_names_what_differs(got, words):
    assert words in array_hint(got, X)


def test_square_transpose_and_first_mismatch():
    square = sample((3, 3), seed=1)
    assert "transpose" in array_hint(square.T, square)
    wrong = square.copy()
    wrong[1, 2] += 1
    hint = array_hint(wrong, square, what="y")
    assert "y[1, 2]" in hint and "1 of 9 elements differ" in hint


def test_wrong_axis_reduction_is_named():
    hint = array_hint(X.sum(axis=0), X.sum(axis=1), reduced_from=X)
    assert "reduced over axis 0" in hint


def test_scalar_hint_and_array_for_scalar():
    with pytest.raises(Wrong, match="one number"):
        expect_scalar(X, 1.0)
    with pytest.raises(Wrong, match="is 2, expected 1"):
        expect_scalar(2.0, 1.0)
    assert expect_scalar(np.array([1.0]), 1.0) == 1.0


def test_numerical_gradient_matches_closed_form():
    grad = numerical_gradient(lambda v: float(np.sum(np.sin(v) * v)), X)
    assert np.allclose(grad, np.cos(X) * X + np.sin(X), atol=1e-7)


def test_expect_gradient_spots_a_transposed_gradient():
    W = sample((3, 3), seed=2)
    f = lambda v: float(np.sum(v @ np.arange(3.0)))
    truth = numerical_gradient(f, W)
    assert not np.allclose(truth, truth.T)
    with pytest.raises(Wrong, match="transpose.*finite differences"):
        expect_gradient(truth.T, f, W)


def test_planted_bug_recognised_even_as_nan():
    with pytest.raises(NotYet, match="planted"):
        reject_planted_bug(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), "planted")
    reject_planted_bug(np.array([0.0, 1.0]), np.array([np.nan, 1.0]), "planted")


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("body, status, words", [
    (lambda: None, "passed", ""),
    (stub, "not yet", "NotImplementedError"),
    (lambda: (_ for _ in ()).throw(NotYet("bug")), "not yet", "bug"),
    (lambda: (_ for _ in ()).throw(Wrong("off")), "wrong", "off"),
    (lambda: 1 / 0, "wrong", "ZeroDivisionError"),
    (lambda: np.ones(3) @ np.ones(4), "wrong", "ValueError"),
    (lambda: undefined_name, "wrong", "NameError"),  # noqa: F821
])
def test_run_check_never_raises(body, status, words, capsys):
    verdict = run_check("demo", body)
    assert verdict.status == status and words in verdict.hint
    printed = capsys.readouterr().out.strip()
    assert printed == verdict.line() and printed.startswith(MARKER)


def test_run_check_survives_recursion(capsys):
    def forever():
        return forever()

    assert run_check("demo", forever).status == "wrong"


def test_check_decorator_names_the_exercise(capsys):
    @check
    def check_relu(fn):
        fn()

    assert check_relu(stub).exercise == "relu"
    with pytest.raises(ValueError):
        check(lambda fn: None)


def test_verdict_lines_round_trip():
    verdicts = [Verdict("passed", "relu"), Verdict("not yet", "tanh", "replace the stub"),
                Verdict("wrong", "softmax", "softmax(x)[0, 1] is 0.2,\nexpected 0.3")]
    text = "noise\n" + "\n".join(v.line() for v in verdicts) + "\n[nprl-check] bogus: x"
    parsed = parse_verdicts(text)
    assert [v.status for v in parsed] == ["passed", "not yet", "wrong"]
    assert parsed[2].hint == "softmax(x)[0, 1] is 0.2, expected 0.3"  # one line


def test_known_mistakes_get_their_own_hint():
    from nprl.lessons.grading import reject_mistakes

    mistakes = {"flipped instead of zeroed": np.abs(X), "kept the negatives": np.minimum(X, 0)}
    with pytest.raises(Wrong, match="kept the negatives"):
        reject_mistakes(np.minimum(X, 0), mistakes)
    reject_mistakes(np.maximum(X, 0), mistakes)  # the right answer is no known mistake
    reject_mistakes("not an array", mistakes)


def test_not_yet_names_the_function_that_still_has_its_stub(capsys):
    def helper(x):
        raise NotImplementedError

    def finished(x):
        return helper(x) + 1

    verdict = run_check("finished", lambda: finished(1))
    assert verdict.status == "not yet" and "`helper` still raises" in verdict.hint


def test_nan_hint_says_where_only_for_arrays():
    assert "(first at [0, 1])" in array_hint(np.array([[1.0, np.nan]]), np.ones((1, 2)))
    assert array_hint(np.array(np.inf), np.array(1.0)).startswith(
        "your result contains NaN or inf: an overflow")
