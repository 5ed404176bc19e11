"""User text (a link's values, run labels, a formula's error) inside Streamlit elements that
render Markdown (warnings, errors, captions, expander and tab labels): made inert, so that
``[x](http://...)``, ``![i](...)``, ``:red[...]``, ``$...$``, ``<b>`` or a bare address show
as typed."""

from __future__ import annotations

import re

# CommonMark lets any ASCII punctuation be backslash-escaped, and then shows it as itself.
ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# GitHub-flavoured Markdown also links bare addresses (http://..., www...., a@b.c) after
# parsing, escapes or not; an invisible word joiner before ":" and "@" and after "www"
# breaks the pattern without changing what the reader sees.
AUTOLINK = re.compile(r"(?=[:@])|(?<=[wW]{3})(?=\.)")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """``text`` for a Markdown element: no autolink, every ASCII punctuation mark escaped,
    line breaks turned into spaces (a new line could start a heading or a list)."""
    one_line = " ".join(str(text).splitlines())
    return ASCII_PUNCTUATION.sub(r"\\\1", AUTOLINK.sub(WORD_JOINER, one_line))
