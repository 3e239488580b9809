from urllib.parse import parse_qs, urlsplit

import pytest

from wagtail_spinecare.booking import add_tracking, tel_href


def test_tracking_parameters_are_added():
    url = add_tracking(
        "https://book.example/clinic",
        source="uk.example",
        medium="website",
        campaign="facet-joint-back-pain",
        content="abc",
    )
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "utm_source": ["uk.example"],
        "utm_medium": ["website"],
        "utm_campaign": ["facet-joint-back-pain"],
        "utm_content": ["abc"],
    }


def test_existing_query_and_editor_utm_are_kept():
    url = add_tracking(
        "https://book.example/?practitioner=12&utm_campaign=spring",
        source="s",
        campaign="page",
    )
    query = parse_qs(urlsplit(url).query)
    assert query["practitioner"] == ["12"]
    assert query["utm_campaign"] == ["spring"]
    assert query["utm_source"] == ["s"]


def test_empty_values_are_left_out_and_empty_url_stays_empty():
    assert "utm_content" not in add_tracking("https://a.example/", source="s", content="")
    assert add_tracking("", source="s") == ""


@pytest.mark.parametrize(
    ("phone", "href"),
    [
        ("0117 496 0123", "tel:01174960123"),
        ("+44 (0)117 496 0123", "tel:+441174960123"),
        ("(319) 555-0142", "tel:3195550142"),
        ("", ""),
        ("call us", ""),
    ],
)
def test_tel_href(phone, href):
    assert tel_href(phone) == href
