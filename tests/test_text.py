"""Text helpers: plain text from rich text, and pages sent without their indentation."""

import pytest
from bs4 import BeautifulSoup

from wagtail_spinecare.text import plain_text, without_indentation


def test_plain_text_puts_each_block_on_its_own_line():
    assert plain_text("<h2>Ease</h2><p>Keep <b>moving</b>.</p><ul><li>Walk</li></ul>") == (
        "Ease\nKeep moving.\nWalk\n"
    )


def test_indentation_and_blank_lines_go_and_the_words_stay():
    html = '<ul>\n    <li>Call <a href="tel:999">999</a></li>\n\n\n    <li>or\n  111</li>\n</ul>\n'
    tidied = without_indentation(html)
    assert tidied == '<ul>\n<li>Call <a href="tel:999">999</a></li>\n<li>or\n111</li>\n</ul>\n'
    # What a reader gets is the same: whitespace runs collapse to one space either way.
    words = [" ".join(BeautifulSoup(h, "html.parser").get_text().split()) for h in (html, tidied)]
    assert words[0] == words[1] == "Call 999 or 111"


@pytest.mark.parametrize("tag", ["pre", "PRE class='code'", "textarea"])
def test_preformatted_text_is_left_as_written(tag):
    html = f"<div>\n    <{tag}>  two\n    lines</{tag.split()[0]}>\n</div>"
    assert without_indentation(html) == html


@pytest.mark.django_db
def test_pages_are_sent_without_indentation(client, condition_page):
    response = client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example")
    html = response.content.decode()
    assert response.status_code == 200 and "<h1" in html
    assert [line for line in html.splitlines() if line[:1].isspace()] == []
    assert "\n\n" not in html
