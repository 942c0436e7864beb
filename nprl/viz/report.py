"""One self-contained HTML page: text, tables and images, for ``nprl report``.

The page must open from disk in any browser with no server and no network, so images are
embedded as base64 ``data:`` URIs, the CSS is inline, and there are no scripts and no
external links. Every piece of text goes through :func:`html.escape`; the helpers below
return HTML fragments that :func:`page` puts together. Standard library only.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from pathlib import Path

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 1200px; padding: 1.5em; color: #1d1d22; background: #fafafa; }
h1 { margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.8em; }
.subtitle { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.7em; text-align: left;
         vertical-align: top; }
th { background: #eee; }
td.value { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; }
.tables { display: flex; flex-wrap: wrap; gap: 2.5em; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; background: white; }
figcaption { color: #555; font-size: 0.9em; }
.note { color: #555; font-size: 0.92em; }
"""

MIME = {".png": "image/png", ".gif": "image/gif"}


def data_uri(data: bytes, mime: str) -> str:
    """``data:<mime>;base64,...`` for embedding ``data`` in the page."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def image(path: str | Path, caption: str = "") -> str:
    """A figure with the PNG or GIF file at ``path`` embedded, and an optional caption."""
    path = Path(path)
    mime = MIME.get(path.suffix.lower())
    if mime is None:
        raise ValueError(f"cannot embed {path}: only {', '.join(MIME)} images")
    alt = html.escape(caption or path.stem, quote=True)
    text = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (f'<figure><img alt="{alt}" src="{data_uri(path.read_bytes(), mime)}">'
            f"{text}</figure>")


def table(rows: Iterable[tuple[object, object]], header: tuple[str, str] | None = None) -> str:
    """A two-column table of (name, value) rows; values in a monospace font."""
    head = ""
    if header:
        head = "<tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in header) + "</tr>"
    body = "".join(f'<tr><th>{html.escape(str(name))}</th>'
                   f'<td class="value">{html.escape(str(value))}</td></tr>'
                   for name, value in rows)
    return f"<table>{head}{body}</table>"


def paragraph(text: str, note: bool = False) -> str:
    """A paragraph of plain text (``note``: smaller, grey)."""
    css = ' class="note"' if note else ""
    return f"<p{css}>{html.escape(text)}</p>"


def side_by_side(*parts: str) -> str:
    """Fragments laid out in a row (wrapping on narrow screens), e.g. two tables."""
    return '<div class="tables">' + "".join(f"<div>{part}</div>" for part in parts) + "</div>"


def section(title: str, *parts: str) -> str:
    """A titled section of HTML fragments."""
    return f"<section><h2>{html.escape(title)}</h2>{''.join(parts)}</section>"


def page(title: str, subtitle: str, sections: Iterable[str]) -> str:
    """The whole HTML document: inline CSS, no scripts, nothing loaded from elsewhere."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>\n<body>"
        f"<h1>{html.escape(title)}</h1><p class=\"subtitle\">{html.escape(subtitle)}</p>\n"
        + "\n".join(sections) + "\n</body></html>\n"
    )
