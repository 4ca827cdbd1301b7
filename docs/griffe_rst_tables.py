"""Griffe extension: render reStructuredText simple tables of docstrings as Markdown tables.

numpydoc docstrings may hold RST "simple tables" (columns framed by ``====  ====``
lines). Markdown would show them as a paragraph of ``=`` signs, so this extension
rewrites each one into a pipe table before mkdocstrings renders the docstring.
Continuation lines (empty first column) are joined to the previous row.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_BORDER = re.compile(r"^(\s*)(=+)((?: +=+)+)\s*$")


def _spans(border: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"=+", border)]


def _cells(line: str, spans: list[tuple[int, int]]) -> list[str]:
    cells = []
    for i, (start, _) in enumerate(spans):
        end = spans[i + 1][0] if i + 1 < len(spans) else len(line)
        cells.append(line[start:end].strip())
    return cells


def _escape(cell: str) -> str:
    return cell.replace("``", "`").replace("|", "\\|")


def rst_tables_to_markdown(text: str) -> str:
    """Rewrite every RST simple table of ``text`` as a Markdown pipe table."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _BORDER.match(lines[i])
        # A table is: border, header, border, rows..., border (same indentation).
        if m and i + 2 < len(lines) and lines[i + 2].strip() == lines[i].strip():
            indent, spans = m.group(1), _spans(lines[i])
            end = next(
                (j for j in range(i + 3, len(lines)) if lines[j].strip() == lines[i].strip()),
                None,
            )
            if end is not None:
                header = _cells(lines[i + 1], spans)
                rows: list[list[str]] = []
                for line in lines[i + 3 : end]:
                    if not line.strip():
                        continue
                    cells = _cells(line, spans)
                    if rows and not cells[0]:
                        rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells)]
                    else:
                        rows.append(cells)
                out.append("")
                out.append(indent + "| " + " | ".join(_escape(c) for c in header) + " |")
                out.append(indent + "|" + "---|" * len(header))
                out.extend(indent + "| " + " | ".join(_escape(c) for c in r) + " |" for r in rows)
                out.append("")
                i = end + 1
                continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


class RstTables(griffe.Extension):
    """Convert RST simple tables in every docstring to Markdown tables."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and "==" in obj.docstring.value:
            obj.docstring.value = rst_tables_to_markdown(obj.docstring.value)
