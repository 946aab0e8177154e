"""Display names (names.clean_name) and the control-character rule (probe D16)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from themepark_tracker.names import (
    CONTROL_CHARACTERS,
    HTML_TAG,
    clean_name,
    display_name,
    first_control_character,
)


@pytest.mark.parametrize(("raw", "clean"), [
    ("<b>Space</b> Mountain", "Space Mountain"),
    ("Tom &amp; Jerry", "Tom & Jerry"),
    ("  Haunted Mansion\u00a0", "Haunted Mansion"),
    ("&nbsp;Pirates&nbsp;", "Pirates"),
    ('<a href="/x">Big Thunder</a> <br/>', "Big Thunder"),
    ("<!-- note -->Dumbo", "Dumbo"),
    ("Peter Pan&rsquo;s Flight", "Peter Pan\u2019s Flight"),
    ("&lt;b&gt;Bold&lt;/b&gt; Ride", "Bold Ride"),  # an encoded tag is still a tag
    ("&amp;lt;i&amp;gt;Twice", "Twice"),  # encoded twice
    ("<<b>i>Nested", "Nested"),  # removing <b> forms <i>
    ("a < b > c", "a < b > c"),  # not a tag: "<" followed by a space
    ("AT&T Ride", "AT&T Ride"),  # "&T" is no entity
    ("Bell\x07\x1b[31mRed", "Bell[31mRed"),
    ("Space Mountain", "Space Mountain"),
    ("<b></b>", ""),
])
def test_clean_name_examples(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_display_name_keeps_a_name_that_is_only_markup() -> None:
    assert display_name(" <b></b> ") == "<b></b>"
    assert display_name("<b>X</b>") == "X"


@pytest.mark.parametrize(("text", "index"), [
    ("plain", None), ("Nul\x00", 3), ("\tTab", 0), ("x\x7f", 1), ("x\x9b", 1), ("é ü ★", None),
])
def test_first_control_character(text: str, index: int | None) -> None:
    assert first_control_character(text) == index


# Mostly the characters markup is made of, so tags and entities actually occur.
MARKUP = st.sampled_from(list("<>/!-&;#abAB01lgt \t\n\x00\x9b'\"="))
NAMEISH = st.text(alphabet=MARKUP | st.characters(), max_size=60)


@given(NAMEISH)
@example("&amp;lt;b&amp;gt;")
@example("<<b>b>>")
@example("&#60;b&#62;")
def test_cleaning_is_idempotent_and_leaves_no_tags_controls_or_edge_space(raw: str) -> None:
    clean = clean_name(raw)
    assert clean_name(clean) == clean
    assert HTML_TAG.search(clean) is None
    assert CONTROL_CHARACTERS.search(clean) is None
    assert clean == clean.strip()
