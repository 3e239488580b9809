import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from wagtail.models import Site

from wagtail_spinecare import colour
from wagtail_spinecare.blocks import CareCardBlock
from wagtail_spinecare.factories import (
    ConditionIndexPageFactory,
    ConditionPageFactory,
    care_card_data,
    stream_item,
)
from wagtail_spinecare.models import ClinicSettings
from wagtail_spinecare.models.clinic import DEFAULT_BRAND_COLOUR, validate_brand_colour
from wagtail_spinecare.terminology import terminology_for


def request_for(host):
    return RequestFactory().get("/", HTTP_HOST=host)


# --- Terminology ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        (
            "uk",
            {
                "therapy": "physiotherapy",
                "therapist": "physiotherapist",
                "emergency_number": "999",
                "urgent_care": "NHS 111",
                "urgent_care_number": "111",
                "language": "en-GB",
            },
        ),
        (
            "us",
            {
                "therapy": "physical therapy",
                "therapist": "physical therapist",
                "emergency_number": "911",
                "urgent_care": "an urgent care center",
                "urgent_care_number": "",
                "language": "en-US",
            },
        ),
    ],
)
def test_terminology_per_region(region, expected):
    terms = ClinicSettings(region=region).terminology
    assert {name: str(getattr(terms, name)) for name in expected} == expected
    assert terms.region == region


def test_default_region_is_uk():
    assert ClinicSettings().terminology.language == "en-GB"


def test_unknown_region_falls_back_to_uk():
    assert terminology_for("fr") is terminology_for("uk")


def test_emergency_number_override():
    terms = ClinicSettings(region="us", emergency_number="112").terminology
    assert terms.emergency_number == "112"
    # nothing else changes
    assert str(terms.therapy) == "physical therapy"
    assert str(terms.emergency_department) == "the emergency room"
    assert terms.language == "en-US"


def test_urgent_care_number_override():
    terms = ClinicSettings(region="uk", urgent_care_number="0300 123 4567").terminology
    assert terms.urgent_care_number == "0300 123 4567"
    assert terms.emergency_number == "999"


def test_blank_overrides_keep_the_national_numbers():
    terms = ClinicSettings(region="uk", emergency_number="", urgent_care_number="").terminology
    assert (terms.emergency_number, terms.urgent_care_number) == ("999", "111")


def test_overrides_do_not_leak_into_the_region_defaults():
    ClinicSettings(region="uk", emergency_number="112").terminology  # noqa: B018
    assert terminology_for("uk").emergency_number == "999"


# --- Brand colour --------------------------------------------------------------------------


def colour_errors(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_brand_colour(value)
    return excinfo.value


def test_light_colour_is_refused_for_contrast():
    error = colour_errors("#ffff00")
    assert error.code == "low_contrast"
    message = error.messages[0]
    assert "contrast" in message
    assert "4.5" in message
    assert "1.1:1" in message  # the actual ratio, to one decimal place


@pytest.mark.parametrize("value", ["red", "#12345", "0b5c7a", "#0b5c7g", "#0b5c7a0", ""])
def test_malformed_colour_is_refused_as_format(value):
    error = colour_errors(value)
    assert error.code == "invalid"
    assert "six hexadecimal digits" in error.messages[0]


@pytest.mark.parametrize("value", ["#0b5c7a", "#000000", "#0B5C7A"])
def test_dark_colour_is_accepted(value):
    assert validate_brand_colour(value) is None


def test_just_below_the_threshold_is_refused():
    # #777777 on white is about 4.48:1: close, but not enough.
    assert 4.4 < colour.contrast_ratio("#777777", "#ffffff") < 4.5
    assert colour_errors("#777777").code == "low_contrast"
    validate_brand_colour("#767676")  # about 4.54:1


@pytest.mark.django_db
def test_full_clean_reports_the_brand_colour_field(uk_clinic):
    _index, _site, clinic = uk_clinic
    clinic.brand_colour = "#ffff00"
    with pytest.raises(ValidationError) as excinfo:
        clinic.full_clean()
    assert list(excinfo.value.message_dict) == ["brand_colour"]
    assert "4.5" in excinfo.value.message_dict["brand_colour"][0]
    clinic.brand_colour = "#0b5c7a"
    clinic.full_clean()


def test_contrast_ratio_extremes():
    assert colour.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert colour.contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert colour.contrast_ratio("#0b5c7a", "#0b5c7a") == pytest.approx(1)


@pytest.mark.parametrize("stored", ["red;}</style><script>", "red", "#fff", "", None, "#0b5c7a;x"])
def test_brand_colour_css_falls_back_for_unsafe_values(stored):
    assert ClinicSettings(brand_colour=stored).brand_colour_css == DEFAULT_BRAND_COLOUR


def test_brand_colour_css_keeps_a_valid_colour():
    assert ClinicSettings(brand_colour="#123456").brand_colour_css == "#123456"


@pytest.mark.django_db
def test_hostile_stored_colour_never_reaches_the_page(client, condition_page, uk_clinic):
    _index, site, _clinic = uk_clinic
    # Bypasses validation, as a raw database edit or an old import would. Seven characters,
    # the column's width, are enough to close the rule and start another.
    ClinicSettings.objects.filter(site=site).update(brand_colour="}body{")
    html = client.get("/facet-joint-back-pain/", HTTP_HOST="uk.example").content.decode()
    assert "}body{" not in html
    stylesheet = BeautifulSoup(html, "html.parser").select_one('link[href*="brand.css"]')
    css = client.get(stylesheet["href"], HTTP_HOST="uk.example").content.decode()
    assert "}body{" not in css
    assert f"--sc-brand: {DEFAULT_BRAND_COLOUR};" in css


# --- ClinicSettings.for_context ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("context", [None, {}, {"page": None}], ids=["none", "empty", "no-request"])
def test_for_context_without_request_gives_unsaved_defaults(context, django_assert_num_queries):
    before = ClinicSettings.objects.count()
    with django_assert_num_queries(0):
        clinic = ClinicSettings.for_context(context)
    assert clinic.pk is None
    assert clinic.region == "uk"
    assert clinic.booking_url == ""
    assert ClinicSettings.objects.count() == before


@pytest.mark.django_db
def test_for_context_on_a_known_site_returns_its_settings(uk_clinic, us_clinic):
    _index, us_site, us_settings = us_clinic
    clinic = ClinicSettings.for_context({"request": request_for("us.example")})
    assert clinic.pk == us_settings.pk
    assert clinic.site_id == us_site.pk
    assert clinic.terminology.emergency_number == "911"


@pytest.mark.django_db
def test_unknown_host_falls_back_to_the_default_site(uk_clinic):
    default_site = Site.objects.get(is_default_site=True)
    assert default_site.hostname == "localhost"
    before = ClinicSettings.objects.count()
    clinic = ClinicSettings.for_context({"request": request_for("nowhere.example")})
    # Wagtail routes unknown hosts to the default site, so its (new) settings are used.
    assert clinic.site_id == default_site.pk
    assert clinic.pk is not None
    assert ClinicSettings.objects.count() == before + 1
    assert clinic.clinic_name == ""


@pytest.mark.django_db
def test_unknown_host_without_default_site_gives_unsaved_defaults(uk_clinic):
    Site.objects.filter(is_default_site=True).update(is_default_site=False)
    before = ClinicSettings.objects.count()
    clinic = ClinicSettings.for_context({"request": request_for("nowhere.example")})
    assert clinic.pk is None
    assert clinic.site_id is None
    assert ClinicSettings.objects.count() == before


@pytest.mark.django_db
def test_site_without_settings_gets_them_once_and_cached(root_page, django_assert_num_queries):
    index = ConditionIndexPageFactory(parent=root_page, slug="fresh")
    site = Site.objects.create(hostname="fresh.example", port=80, root_page=index)
    assert not ClinicSettings.objects.filter(site=site).exists()
    request = request_for("fresh.example")
    first = ClinicSettings.for_context({"request": request})
    assert first.site_id == site.pk
    assert ClinicSettings.objects.filter(site=site).count() == 1
    with django_assert_num_queries(0):
        again = ClinicSettings.for_context({"request": request})
    assert again is first
    # another request for the same site finds the row rather than making another
    other = ClinicSettings.for_context({"request": request_for("fresh.example")})
    assert other.pk == first.pk
    assert ClinicSettings.objects.filter(site=site).count() == 1


@pytest.mark.django_db
def test_settings_another_process_made_first_are_the_ones_found(uk_clinic):
    """Between not finding a site's settings and making them, another process may make
    them: those are the site's settings, as with Wagtail's ``get_or_create``."""
    _index, site, clinic = uk_clinic
    assert ClinicSettings._made_for(site).pk == clinic.pk
    assert ClinicSettings.objects.filter(site=site).count() == 1


# --- display_name --------------------------------------------------------------------------


@pytest.mark.django_db
def test_display_name_prefers_the_clinic_name(uk_clinic):
    _index, _site, clinic = uk_clinic
    assert clinic.display_name == "Harbour Physio"
    assert str(clinic) == "Harbour Physio"


@pytest.mark.django_db
def test_display_name_falls_back_to_the_site_name(uk_clinic):
    _index, site, clinic = uk_clinic
    site.site_name = "Harbourside Spine Clinic"
    site.save()
    clinic.clinic_name = ""
    clinic.save()
    clinic = ClinicSettings.objects.get(pk=clinic.pk)
    assert clinic.display_name == "Harbourside Spine Clinic"
    assert str(clinic) == "Harbourside Spine Clinic"


@pytest.mark.django_db
def test_display_name_is_empty_without_any_name(uk_clinic):
    _index, site, clinic = uk_clinic
    site.site_name = ""
    site.save()
    clinic.clinic_name = ""
    assert clinic.display_name == ""
    assert ClinicSettings().display_name == ""


# --- Words a US clinic's patients see ------------------------------------------------------


def care_card(level):
    return care_card_data(level, "<ul><li>Pain spreading down both legs</li></ul>")


def render_cards(host):
    block = CareCardBlock()
    request = request_for(host)
    html = "".join(
        block.render(block.to_python(care_card(level)), {"request": request})
        for level in ("emergency", "urgent", "non_urgent")
    )
    return BeautifulSoup(html, "html.parser").get_text(" ", strip=True)


@pytest.mark.django_db
def test_us_care_cards_use_us_words(us_clinic):
    text = render_cards("us.example")
    assert "physical therapist" in text
    assert "911" in text
    assert "urgent care center" in text
    assert "physiotherap" not in text.lower()
    assert "999" not in text
    assert "NHS" not in text
    assert "A&E" not in text


@pytest.mark.django_db
def test_uk_care_cards_use_uk_words(uk_clinic):
    text = render_cards("uk.example")
    assert "physiotherapist" in text
    assert "NHS 111" in text
    assert "physical therap" not in text
    assert "911" not in text


@pytest.mark.django_db
def test_us_urgent_care_number_override_is_shown(us_clinic):
    _index, _site, clinic = us_clinic
    clinic.urgent_care_number = "(319) 555-0199"
    clinic.save()
    block = CareCardBlock()
    html = block.render(
        block.to_python(care_card("urgent")), {"request": request_for("us.example")}
    )
    heading = BeautifulSoup(html, "html.parser").select_one(".sc-care-card__heading")
    assert "(319) 555-0199" in heading.get_text()


@pytest.mark.django_db
def test_us_condition_page_never_says_physiotherapy(client, us_clinic):
    index, _site, _clinic = us_clinic
    page = ConditionPageFactory(
        parent=index,
        slug="sciatica",
        title="Sciatica",
        reviewed_by=None,
        body=[
            stream_item(
                "section",
                {
                    "aspect": "when_to_get_help",
                    "heading": "When to get help",
                    "content": [
                        stream_item("care_card", care_card(level))
                        for level in (
                            "emergency",
                            "urgent",
                            "non_urgent",
                        )
                    ],
                },
            )
        ],
    )
    page.save_revision().publish()
    response = client.get("/sciatica/", HTTP_HOST="us.example")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    headings = [h.get_text(" ", strip=True) for h in soup.select(".sc-care-card__heading")]
    assert len(headings) == 3
    assert "physical therapist" in headings[2]
    # Everything a patient can read. The structured data names the schema.org type
    # "Physiotherapy", which is vocabulary, not words on the page.
    for script in soup.find_all("script", type="application/ld+json"):
        script.decompose()
    assert "physiotherap" not in str(soup).lower()
