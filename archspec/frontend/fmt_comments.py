"""How ``fmt`` writes comments back (frontend/trivia.py attaches them to nodes).

A trailing comment is not written where its node ends but at the end of that output line
(``place_comments``), so it can never comment out a ``)`` or ``}`` printed after it on the
same line; own-line comments are written only where the grammar allows a line break: between
statements, inside brackets and before a chain's ``->`` continuation.
"""

from __future__ import annotations

import re
import secrets

from archspec.frontend import ast as A
from archspec.frontend.trivia import Comment, Trivia


class CommentWriter:
    def __init__(self, trivia: Trivia):
        self.trivia = trivia
        self.pending: list[list[Comment]] = []
        self.mark = f"\x00{secrets.token_hex(6)}:"  # no spec text holds it

    def trail(self, node: A.Node) -> str:
        """A marker for ``node``'s trailing comments, moved to the line's end afterwards."""
        return self._defer(self.trivia.trailing.get(id(node)))

    def opening(self, node: A.Node) -> str:
        return self._defer(self.trivia.opening.get(id(node)))

    def _defer(self, comments: list[Comment] | None) -> str:
        if not comments:
            return ""
        self.pending.append(comments)
        return f"{self.mark}{len(self.pending) - 1}\x00"

    def lead(self, node: A.Node, pad: str, paragraphs: bool = False,
             definition: bool = False) -> str:
        """``node``'s own-line comments, each on a line of its own ending in a newline. A
        ``##`` comment just above a definition would become its documentation: a blank line
        keeps it a comment."""
        comments = self.trivia.leading.get(id(node), [])
        text = self._lines(comments, pad, paragraphs, self._first_line(node))
        if definition and comments and comments[-1].text.startswith("##") and \
                not text.endswith("\n\n"):
            text += "\n"
        return text

    def closing(self, owner: A.Node, pad: str, after: int | None = None) -> str:
        comments = self.trivia.closing.get(id(owner), [])
        text = self._lines(comments, pad, after is not None, None)
        if comments and after is not None and self.trivia.blank_between(after, comments[0].line):
            text = "\n" + text
        return text

    def _lines(self, comments: list[Comment], pad: str, paragraphs: bool,
               before: int | None) -> str:
        out = []
        for i, c in enumerate(comments):
            out.append(pad + c.text + "\n")
            following = comments[i + 1].line if i + 1 < len(comments) else before
            if paragraphs and following is not None and self.trivia.blank_between(c.line,
                                                                                  following):
                out.append("\n")
        return "".join(out)

    def _first_line(self, node: A.Node) -> int:
        ext = self.trivia.extents
        return ext.of(node)[0] if ext is not None else 0

    def _last_line(self, node: A.Node) -> int:
        ext = self.trivia.extents
        return ext.of(node)[1] if ext is not None else 0

    def _entry_first_line(self, node: A.Node) -> int:
        leading = self.trivia.leading.get(id(node))
        return leading[0].line if leading else self._first_line(node)

    def place_comments(self, text: str) -> str:
        if not self.pending:
            return text
        marker = re.compile(re.escape(self.mark) + "([0-9]+)\x00")
        lines = []
        for line in text.split("\n"):
            found = marker.findall(line)
            if found:
                notes = [c.text for i in found for c in self.pending[int(i)]]
                line = marker.sub("", line).rstrip(" ") + "  " + "  ".join(notes)
            lines.append(line)
        return "\n".join(lines)
