"""The exception a build-stopping report is made of: one or more `where: what` lines.

`relais build` prints each line as `error: <line>`; plugins raise a subclass
of this rather than each inventing its own.
"""

from __future__ import annotations


class ProblemLines(Exception):
    """One or more problems, each a complete line naming the file, field or URL."""

    def __init__(self, lines: list[str]):
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))
