"""Names as people see them, from names as the feeds and files spell them.

Feeds sometimes send markup in a name (``<b>Space</b> Mountain``, ``Tom &amp; Jerry``).
``clean_name`` gives the display name: HTML tags removed, entities decoded, control characters
dropped, surrounding whitespace stripped. It is pure and idempotent (cleaning a clean name
changes nothing). The raw name stays what matching across feeds compares.

``first_control_character`` is the one definition of the characters a stored text may not
hold: the C0 controls U+0000-U+001F (tab, CR and LF included), DEL U+007F and the C1
controls U+0080-U+009F (U+009B alone starts a terminal escape sequence).
"""

from __future__ import annotations

import html
import logging
import re

logger = logging.getLogger(__name__)

CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")

#: An HTML tag or comment: ``<b>``, ``</b>``, ``<br/>``, ``<a href="x">``, ``<!-- x -->``.
#: A ``<`` not followed by a letter, ``/`` or ``!`` (``a < b``) is text, not a tag.
HTML_TAG = re.compile(r"<(?:/?[A-Za-z][^<>]*|!--.*?--|![^<>]*)>", re.DOTALL)


def first_control_character(text: str) -> int | None:
    """The index of the first control character of ``text`` (see above), or None."""
    found = CONTROL_CHARACTERS.search(text)
    return None if found is None else found.start()


def clean_name(raw: str) -> str:
    """The display name of ``raw``; may be empty when ``raw`` is only markup.

    Decoding an entity can reveal a tag (``&lt;b&gt;``) and removing a tag can join one
    (``<<b>i>``), so both repeat until nothing changes; each round that changes something
    makes the text shorter, so this ends."""
    text = raw
    while True:
        cleaned = CONTROL_CHARACTERS.sub("", HTML_TAG.sub("", html.unescape(text))).strip()
        if cleaned == text:
            return cleaned
        text = cleaned


def display_name(raw: str) -> str:
    """``clean_name(raw)``, or ``raw`` stripped when cleaning leaves nothing (a name that is
    only markup is still better shown than lost)."""
    return clean_name(raw) or raw.strip()


# --- spreadsheet formulas in written CSV (transfer/csvformat.py, the API's text/csv) --------

#: A text cell starting with one of these is run as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@")
#: After a leading ``'``, these mean the ``'`` was added by the export (FORMULA_STARTS + "'").
_QUOTED_STARTS = (*FORMULA_STARTS, "'")


def unquote_formula(value: str) -> str:
    """``value`` without the ``'`` that ``quote_formula`` put in front of it, if any."""
    if value[:1] == "'" and value[1:2] in _QUOTED_STARTS:
        return value[1:]
    return value


def quote_formula(text: str) -> str:
    """``text`` with a leading ``'`` if a spreadsheet would run it as a formula, or if it
    already starts with ``'`` followed by such a start (so ``unquote_formula`` reverses it)."""
    if text.startswith(FORMULA_STARTS) or (text[:1] == "'" and text[1:2] in _QUOTED_STARTS):
        return "'" + text
    return text
