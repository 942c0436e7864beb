"""Check modules, one per notebook: ``lesson01`` ... ``lesson13``, ``checkpoint_a`` ... ``_d``.

Each exposes ``check_<exercise>(fn)`` functions built with :func:`nprl.lessons.grading.check`.
"""
