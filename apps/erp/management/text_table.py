"""A plain-text table for the ERP commands' terminal output."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def text_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Columns padded to their widest cell; the last column is left ragged."""
    lines = [tuple(header), *(tuple("" if cell is None else str(cell) for cell in row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    text = ["  ".join([*(cell.ljust(width) for cell, width in zip(line, widths)), line[-1]]).rstrip() for line in lines]
    text.insert(1, "-" * min(120, max(len(line) for line in text)))
    return "\n".join(text)
