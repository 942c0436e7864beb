"""``nprl lessons``: the course's notebooks: list with progress, copy, check, render as HTML.

- ``nprl lessons [--dir DIR]``: every lesson with its title, estimated time and the
  learner's progress, read from the saved notebooks in DIR (default ``./nprl-lessons``).
- ``nprl lessons copy [DIR]``: write the exercise notebooks into DIR; a file already there
  is the learner's and is never overwritten.
- ``nprl lessons check [PATH]``: run notebooks headless and print each exercise's verdict;
  exit 0 only when every exercise passes.
- ``nprl lessons html DIR``: render the lessons as a static site that opens from disk.

nbclient and nbconvert (the ``lessons`` extra) are imported only by ``check`` and ``html``.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from nprl.commands.arguments import examples, positive_int, wrote
from nprl.errors import UserError

DEFAULT_DIR = "nprl-lessons"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "lessons",
        help="the course: list lessons and your progress, copy, check, render",
        description="The nprl course: 13 lessons and 4 checkpoints as Jupyter notebooks "
                    "whose exercises grade themselves. Start with "
                    "`nprl lessons copy && jupyter lab nprl-lessons`.",
        epilog=examples(
            "nprl lessons copy && jupyter lab nprl-lessons   # start the course",
            "nprl lessons                                    # your progress",
            "nprl lessons check nprl-lessons/02_perceptron.ipynb",
        ),
    )
    parser.add_argument("--dir", default=DEFAULT_DIR,
                        help=f"your working folder, for progress (default ./{DEFAULT_DIR})")
    parser.set_defaults(func=list_lessons)
    actions = parser.add_subparsers(title="actions", metavar="ACTION")

    copy = actions.add_parser("copy", help="write the exercise notebooks into a folder",
                              description="Write the exercise notebooks into DIR. Files "
                                          "already there are yours: they are never "
                                          "overwritten.")
    copy.add_argument("dir", nargs="?", default=DEFAULT_DIR, metavar="DIR",
                      help=f"where to write them (default ./{DEFAULT_DIR})")
    copy.add_argument("--solutions", action="store_true",
                      help="also write the worked solutions into DIR/solutions (for teachers)")
    copy.set_defaults(func=copy_lessons)

    check = actions.add_parser("check", help="run notebooks headless and grade them",
                               description="Run each notebook top to bottom in a fresh "
                                           "kernel (nothing is saved) and print every "
                                           "exercise's verdict. Exit 0 only when all pass.")
    check.add_argument("path", nargs="?", default=DEFAULT_DIR, metavar="PATH",
                       help=f"a notebook or a folder of them (default ./{DEFAULT_DIR})")
    check.add_argument("--jobs", type=positive_int, default=2, metavar="N",
                       help="notebooks to run at once, one kernel each (default 2)")
    check.set_defaults(func=check_lessons)

    html = actions.add_parser("html", help="render the lessons as a static web site",
                              description="Run the course's notebooks and render them, "
                                          "figures and math included, as HTML pages that "
                                          "open from disk (no network needed).")
    html.add_argument("dir", metavar="DIR", help="folder for the site (index.html inside)")
    html.add_argument("--solutions", action="store_true",
                      help="render the worked solutions instead of the exercises")
    html.add_argument("--only", nargs="+", metavar="NAME",
                      help="render only these notebooks, e.g. 02_perceptron checkpoint_a")
    html.add_argument("--jobs", type=positive_int, default=2, metavar="N",
                      help="notebooks to run at once, one kernel each (default 2)")
    html.set_defaults(func=render_html)


def list_lessons(args: argparse.Namespace) -> int:
    from nprl.lessons.catalog import course, label, progress

    folder = Path(args.dir)
    rows = []
    for entry in course():
        mine = folder / entry.file_name
        found = progress(entry, mine) if mine.exists() else None
        total = len(entry.exercises)
        if not mine.exists():
            state = "not copied"
        elif found is None:
            state = "unreadable"
        elif found[1] == 0:
            state = "not started"
        else:
            state = f"{found[0]}/{total} passed" + (" - done" if found[0] == total else "")
        rows.append((label(entry.name), entry.title, f"{entry.minutes} min", state))
    if not rows:
        raise UserError("no lessons found in the package: reinstall nprl")
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"The nprl course ({sum(1 for r in rows if r[0].isdigit())} lessons, "
          f"{sum(1 for r in rows if not r[0].isdigit())} checkpoints). "
          f"Progress from saved notebooks in {folder}/")
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    if not folder.is_dir():
        print(f"\nStart with: nprl lessons copy {args.dir} && jupyter lab {args.dir}")
    else:
        print("\nProgress counts checks that passed in your saved notebooks (save after "
              "running). `nprl lessons check` re-runs them.")
    return 0


def copy_lessons(args: argparse.Namespace) -> int:
    from nprl.lessons.catalog import NOTEBOOK_DIR, SOLUTION_DIR, course

    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} exists and is not a folder: choose another DIR")
    targets = [(NOTEBOOK_DIR, folder)]
    if args.solutions:
        targets.append((SOLUTION_DIR, folder / "solutions"))
    written = kept = 0
    for source_dir, target_dir in targets:
        target_dir.mkdir(parents=True, exist_ok=True)
        for entry in course(source_dir):
            target = target_dir / entry.file_name
            if target.exists():
                print(f"kept   {target} (already there: your file is never overwritten)")
                kept += 1
                continue
            shutil.copyfile(source_dir / entry.file_name, target)
            print(f"wrote  {target}")
            written += 1
    print(f"{written} written, {kept} kept. Next: jupyter lab {folder}")
    return 0


def _notebooks_at(path: Path) -> list[Path]:
    from nprl.lessons.catalog import NAME, order_key

    if path.is_file():
        if path.suffix != ".ipynb":
            raise UserError(f"{path} is not a notebook (.ipynb)")
        return [path]
    if not path.is_dir():
        raise UserError(f"{path}: no such notebook or folder "
                        f"(copy the lessons first: nprl lessons copy {path})")
    found = [p for p in path.glob("*.ipynb") if NAME.match(p.stem)]
    if not found:
        raise UserError(f"{path}: no lesson notebooks here (01_neurons.ipynb, ...)")
    return sorted(found, key=lambda p: order_key(p.stem))


def check_lessons(args: argparse.Namespace) -> int:
    from nprl.lessons.runner import run_notebooks

    paths = _notebooks_at(Path(args.path))
    passed = total = 0
    all_ok = True
    print(f"running {len(paths)} notebook(s) headless; nothing is saved", flush=True)
    for result in run_notebooks(paths, jobs=args.jobs):
        print(f"{result.path.name}:", flush=True)
        for exercise in result.entry.exercises:
            verdict = result.verdicts.get(exercise)
            if verdict is None:
                print(f"  {'no verdict':9s} {exercise} - its check did not run "
                      f"(an error in an earlier cell?)")
                continue
            hint = f" - {verdict.hint}" if verdict.hint and not verdict.passed else ""
            print(f"  {verdict.status:9s} {exercise}{hint}")
        for error in result.errors:
            print(f"  error     cell {error.cell}: {error.error}")
        passed += sum(1 for e in result.entry.exercises
                      if e in result.verdicts and result.verdicts[e].passed)
        total += len(result.entry.exercises)
        all_ok = all_ok and result.all_passed  # a crash fails the check even if all passed
    errors = "" if all_ok or passed < total else " (but a cell raised an error)"
    print(f"{passed}/{total} exercises passed in {len(paths)} notebook(s){errors}")
    return 0 if all_ok else 1


def render_html(args: argparse.Namespace) -> int:
    from nprl.lessons.site import build_site

    index = build_site(Path(args.dir), solutions=args.solutions, only=args.only,
                       jobs=args.jobs)
    wrote("course site", index, "open it in a browser; no network needed")
    return 0
