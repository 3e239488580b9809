"""What frames every page: the header with logo and booking, the icons, the footer from the
clinic's settings."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.core.cache import cache
from wagtail_factories import ImageFactory

from wagtail_spinecare.models import ClinicSettings
from wagtail_spinecare.templatetags.spinecare_tags import DEFAULT_ICON

pytestmark = pytest.mark.django_db

FOOTER = {
    "opening_hours": "Monday to Friday: 8am to 7pm\n\n  Saturday: 9am to 1pm  ",
    "privacy_url": "https://clinic.example/privacy",
    "complaints_url": "https://clinic.example/complaints",
    "regulator_name": "Care Quality Commission",
    "regulator_url": "https://www.cqc.org.uk/",
    "regulator_registration": "1-234567",
}


@pytest.fixture(autouse=True)
def _fresh_rendition_cache():
    # Renditions are cached by image id, and ids are reused after a test's rollback.
    cache.clear()


def page_soup(client, path="/facet-joint-back-pain/"):
    response = client.get(path, HTTP_HOST="uk.example")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def update_clinic(uk_clinic, **fields):
    ClinicSettings.objects.filter(pk=uk_clinic[2].pk).update(**fields)


# --- Header and icons ----------------------------------------------------------------------


def test_header_shows_the_logo_beside_the_name_with_phone_and_booking(
    client, condition_page, uk_clinic
):
    update_clinic(uk_clinic, logo=ImageFactory(file__width=400, file__height=200))
    header = page_soup(client).select_one(".sc-site-header")
    name = header.select_one(".sc-site-header__name")
    logo = name.select_one("img.sc-site-header__logo")
    # The name is written beside it, so the logo says nothing more to a screen reader.
    assert logo["alt"] == ""
    assert (logo["width"], logo["height"]) == ("192", "96")
    assert name.get_text(strip=True) == "Harbour Physio"
    assert header.select_one(".sc-site-header__phone")["href"] == "tel:01174960123"
    book = header.select_one(".sc-site-header__book")
    assert book["href"].startswith("https://book.example/uk?")
    assert "utm_content=header" in book["href"]
    assert " ".join(book.get_text().split()) == "Book an appointment"


def test_header_without_a_logo_has_no_image(client, condition_page):
    assert page_soup(client).select(".sc-site-header img") == []


def test_a_logo_whose_file_is_gone_is_left_out(client, condition_page, uk_clinic):
    logo = ImageFactory()
    logo.file.storage.delete(logo.file.name)
    update_clinic(uk_clinic, logo=logo)
    assert page_soup(client).select(".sc-site-header img") == []


def test_clinic_icon_serves_browser_tabs_and_home_screens(client, condition_page, uk_clinic):
    update_clinic(uk_clinic, icon=ImageFactory(file__width=300, file__height=240))
    soup = page_soup(client)
    tab = soup.select_one('link[rel="icon"]')
    assert tab["sizes"] == "32x32"
    assert tab["type"] == "image/png"
    assert tab["href"].endswith(".png")
    assert soup.select_one('link[rel="apple-touch-icon"]')["href"].endswith(".png")
    assert soup.select_one('meta[name="theme-color"]')["content"] == uk_clinic[2].brand_colour


def test_without_an_icon_the_package_icon_is_used(client, condition_page):
    soup = page_soup(client)
    assert soup.select_one('link[rel="icon"]')["href"].endswith(DEFAULT_ICON)
    assert soup.select('link[rel="apple-touch-icon"]') == []
    assert finders.find(DEFAULT_ICON)


def test_settings_images_cost_no_query_of_their_own(uk_clinic, django_assert_num_queries, rf):
    update_clinic(uk_clinic, logo=ImageFactory(), icon=ImageFactory())
    request = rf.get("/", HTTP_HOST="uk.example")
    with django_assert_num_queries(2):  # the site, then the settings with both images
        clinic = ClinicSettings.for_request(request)
        assert clinic.logo.pk and clinic.icon.pk


# --- Footer --------------------------------------------------------------------------------


def test_footer_shows_each_setting_the_clinic_filled_in(client, condition_page, uk_clinic):
    update_clinic(
        uk_clinic,
        street_address="12 Quay Street",
        address_locality="Portsea Quay",
        address_region="Hampshire",
        postal_code="PQ1 2AB",
        **FOOTER,
    )
    footer = page_soup(client).select_one(".sc-site-footer")
    assert [line.strip() for line in footer.select_one("address").stripped_strings] == [
        "12 Quay Street",
        "Portsea Quay, Hampshire PQ1 2AB",
    ]
    hours = [li.get_text() for li in footer.select(".sc-site-footer__hours li")]
    assert hours == ["Monday to Friday: 8am to 7pm", "Saturday: 9am to 1pm"]
    links = {a.get_text(strip=True): a["href"] for a in footer.select("a")}
    assert links["Privacy notice"] == FOOTER["privacy_url"]
    assert links["Complaints"] == FOOTER["complaints_url"]
    assert links["Care Quality Commission"] == FOOTER["regulator_url"]
    map_link = links["Find us on a map"]
    assert map_link.startswith("https://www.openstreetmap.org/search?query=")
    assert "Portsea+Quay" in map_link
    regulator = footer.find(string=lambda text: "Regulated by" in text).parent
    assert " ".join(regulator.get_text().split()) == (
        "Regulated by Care Quality Commission (registration 1-234567)"
    )


def test_a_clinic_map_link_replaces_the_search(client, condition_page, uk_clinic):
    update_clinic(uk_clinic, postal_code="PQ1 2AB", map_url="https://maps.example/clinic")
    footer = page_soup(client).select_one(".sc-site-footer")
    assert footer.find("a", string="Find us on a map")["href"] == "https://maps.example/clinic"


def test_footer_leaves_out_what_is_blank(client, condition_page):
    footer = page_soup(client).select_one(".sc-site-footer")
    assert footer.select("a, address, h2, ul") == []
    assert footer.get_text(strip=True) == "Harbour Physio"


def test_regulator_without_a_link_is_named_as_text(client, condition_page, uk_clinic):
    update_clinic(uk_clinic, regulator_name="Health and Care Professions Council")
    footer = page_soup(client).select_one(".sc-site-footer")
    assert "Regulated by Health and Care Professions Council" in " ".join(footer.get_text().split())
    assert footer.select("a") == []


def test_hostile_footer_text_is_escaped(client, condition_page, uk_clinic):
    update_clinic(uk_clinic, opening_hours="<script>alert(1)</script>", regulator_name="<b>x</b>")
    html = client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html
