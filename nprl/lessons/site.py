"""``nprl lessons html``: run the course's notebooks and render them as a static site.

Every page opens from disk with no network: figures are embedded PNGs, and the LaTeX in
Markdown cells is turned into MathML at build time (latex2mathml), which browsers draw
natively, so no MathJax or KaTeX has to be fetched. nbconvert's JupyterLab template does
the rest; its script tags (require.js, MathJax, mermaid, all from a CDN) are left out.

Math conversion is done on placeholders: each ``$...$`` / ``$$...$$`` (outside code) is
swapped for a token before nbconvert's Markdown pass and the MathML put back after it, so
Markdown never sees (or mangles) the math.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
from pathlib import Path

from nprl.errors import UserError
from nprl.lessons.catalog import NOTEBOOK_DIR, SOLUTION_DIR, Entry, course, label

_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE = re.compile(r"(?<![\\$])\$([^$\n]+?)\$(?!\$)")
_TOKEN = "NPRLMATH{:04d}Z"

_TEMPLATE = r"""
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
  nav.nprl { font-family: sans-serif; padding: 8px 16px; background: #f3f4f6;
             border-bottom: 1px solid #d0d4da; }
  nav.nprl a { margin-right: 1.5em; }
  math[display="block"] { margin: 0.6em 0; font-size: 1.15em; }
  math { font-size: 1.1em; }
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.nprl_nav }}
{%- endblock body_header -%}
{%- block body_footer -%}
{{ resources.nprl_nav }}
{{ super() }}
{%- endblock body_footer -%}
"""


def to_mathml(latex: str, display: bool) -> str:
    """MathML for one formula; the LaTeX itself, marked as code, if it cannot be converted."""
    from latex2mathml.converter import convert

    # latex2mathml knows no \arg and keeps "\_" inside \text literally: patch both.
    latex = re.sub(r"\\arg(?![A-Za-z])", r"\\operatorname{arg}", latex.strip())
    try:
        mathml = convert(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - an unsupported command: show the source honestly
        return f"<code>{html.escape(latex)}</code>"
    return mathml.replace("\\_", "_")


def extract_math(markdown: str, store: list[tuple[str, bool]]) -> str:
    """Replace each formula outside code with a token; append (latex, display) to store."""

    def swap(match: re.Match, display: bool) -> str:
        store.append((match[1], display))
        return _TOKEN.format(len(store) - 1)

    pieces = _CODE.split(markdown)
    for i in range(0, len(pieces), 2):  # even pieces are outside code
        text = _DISPLAY.sub(lambda m: swap(m, True), pieces[i])
        pieces[i] = _INLINE.sub(lambda m: swap(m, False), text)
    return "".join(pieces)


def put_math_back(page: str, store: list[tuple[str, bool]]) -> str:
    """Replace every token in the rendered page with its MathML."""
    return re.sub(r"NPRLMATH(\d{4})Z", lambda m: to_mathml(*store[int(m[1])]), page)


def _nav(entries: list[Entry], position: int) -> str:
    links = ['<a href="index.html">All lessons</a>']
    if position > 0:
        before = entries[position - 1]
        links.append(f'<a href="{before.name}.html">&larr; {html.escape(before.title)}</a>')
    if position + 1 < len(entries):
        after = entries[position + 1]
        links.append(f'<a href="{after.name}.html">{html.escape(after.title)} &rarr;</a>')
    return '<nav class="nprl">' + "".join(links) + "</nav>"


def _join_streams(outputs: list) -> list:
    """Merge runs of stdout (or stderr) pieces into one output, as Jupyter shows them:
    a kernel may send ``print("a:", b)`` in several pieces, each its own box in HTML."""
    joined: list = []
    for output in outputs:
        last = joined[-1] if joined else None
        if (output.get("output_type") == "stream" and last is not None
                and last.get("output_type") == "stream" and last.get("name") == output.get("name")):
            last["text"] = "".join(last["text"]) + "".join(output["text"])
        else:
            joined.append(output)
    return joined


def render_page(notebook: dict, nav: str) -> str:
    """One executed notebook (JSON dict) as a complete HTML page."""
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    notebook = nbformat.from_dict(notebook)
    store: list[tuple[str, bool]] = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = extract_math(cell.source, store)
        elif cell.cell_type == "code":
            cell.outputs = _join_streams(cell.outputs)
    exporter = HTMLExporter(extra_loaders=[DictLoader({"nprl_page.html.j2": _TEMPLATE})],
                            template_file="nprl_page.html.j2")
    page, _ = exporter.from_notebook_node(notebook, resources={"nprl_nav": nav})
    return put_math_back(page, store)


def _index_page(entries: list[Entry], solutions: bool) -> str:
    rows = "\n".join(
        f'<tr><td>{label(e.name)}</td><td><a href="{e.name}.html">{html.escape(e.title)}</a>'
        f"</td><td>{e.minutes} min</td><td>{len(e.exercises)}</td></tr>" for e in entries)
    kind = "worked solutions" if solutions else "exercises (every check says “not yet”)"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The nprl course</title>
<style>body {{ font-family: sans-serif; max-width: 52em; margin: 2em auto; line-height: 1.5 }}
td, th {{ padding: 4px 12px; text-align: left }} tr:nth-child(even) {{ background: #f3f4f6 }}
</style></head><body>
<h1>The nprl course</h1>
<p>Deep learning for reinforcement learning, built in NumPy first. Thirteen lessons and
four checkpoints; each exercise checks itself against <code>nprl.nn</code>.
These pages show the {kind}. To do the exercises:
<code>pip install 'nprl[lessons]'</code>, then
<code>nprl lessons copy &amp;&amp; jupyter lab nprl-lessons</code>.</p>
<table><tr><th></th><th>Lesson</th><th>Time</th><th>Exercises</th></tr>
{rows}
</table></body></html>
"""


def build_site(out: Path, solutions: bool = False, only: list[str] | None = None,
               jobs: int = 2) -> Path:
    """Run the chosen notebooks (``jobs`` at a time) and write ``out/<name>.html`` plus
    ``out/index.html``."""
    from nprl.lessons.runner import run_notebooks
    from nprl.progress import ProgressBar

    source = SOLUTION_DIR if solutions else NOTEBOOK_DIR
    entries = course(source)
    known = {e.name for e in entries}
    for name in only or []:  # before the slow imports below: a typo is answered at once
        if name not in known:
            raise UserError(f"unknown lesson {name!r}; choose from: {', '.join(sorted(known))}")
    try:
        import latex2mathml  # noqa: F401
        import nbconvert  # noqa: F401
    except ImportError:
        raise UserError("rendering needs the lessons extra: pip install 'nprl[lessons]'") from None
    chosen = [e for e in entries if not only or e.name in only]
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a folder: choose another DIR")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nprl-lessons-") as scratch, \
            ProgressBar(total=len(chosen), desc="rendering") as bar:
        copies = []
        for entry in chosen:
            # Run copies, so nothing is written into the installed package.
            copies.append(Path(scratch) / entry.file_name)
            shutil.copyfile(source / entry.file_name, copies[-1])
        for entry, result in zip(chosen, run_notebooks(copies, jobs=jobs)):
            page = render_page(result.notebook, _nav(entries, entries.index(entry)))
            (out / f"{entry.name}.html").write_text(page, encoding="utf-8")
            bar.update(1)
    index = out / "index.html"
    rendered = [e for e in entries if (out / f"{e.name}.html").exists()]
    index.write_text(_index_page(rendered, solutions), encoding="utf-8")
    return index
