"""nprl.lessons: the course, thirteen notebooks from the perceptron to the DQN network.

- ``source/``: one percent-format source per notebook (edit these);
- ``notebooks/`` and ``solutions/``: the exercise and worked-solution notebooks that
  :mod:`nprl.lessons.build` makes from them (package data, never edited by hand);
- :mod:`nprl.lessons.grading`: verdicts, array hints and finite differences for checks;
- ``checks/``: one check module per notebook (``check_<exercise>(fn)``);
- :mod:`nprl.lessons.data`: MNIST for the lessons, with a small shipped sample.

The ``nprl lessons`` command lists, copies, checks and renders them. Only ``nn`` and
below are imported here; nbclient and nbconvert are imported lazily by the command.
"""
