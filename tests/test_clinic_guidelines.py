"""Each clinic shows the guidelines it follows, each recommendation in its own guideline's words."""

import json

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from wagtail_spinecare.checks import WARNING, run_checks
from wagtail_spinecare.factories import ConditionPageFactory, section_data, stream_item
from wagtail_spinecare.models import (
    ClinicSettings,
    ConditionPage,
    Guideline,
    GuidelineRecommendation,
    Treatment,
)
from wagtail_spinecare.models.cache_generation import CacheGeneration
from wagtail_spinecare.models.treatments import SCHEME_STRENGTHS, Strength, StrengthScheme

NICE_SOURCE = "https://www.nice.org.uk/guidance/ng59/chapter/Recommendations"
ACP_SOURCE = "https://www.acpjournals.org/doi/10.7326/M16-2367"


@pytest.fixture
def acp(db):
    return Guideline.objects.create(
        code="ACP 2017",
        title="Noninvasive treatments for acute, subacute, and chronic low back pain",
        authority="American College of Physicians",
        current_version="2017-04-04",
        url=ACP_SOURCE,
        strength_scheme=StrengthScheme.ACP,
    )


def recommend(treatment, guideline, number, strength, order=0):
    return GuidelineRecommendation.objects.create(
        treatment=treatment,
        guideline=guideline,
        guideline_version=guideline.current_version,
        recommendation_id=number,
        strength=strength,
        source_url=NICE_SOURCE if guideline.strength_scheme == StrengthScheme.NICE else ACP_SOURCE,
        sort_order=order,
    )


@pytest.fixture
def treatments(guideline, acp):
    """Exercise, recommended by both; injections, which only NICE speaks of."""
    exercise = Treatment.objects.create(name="Exercise", category="exercise", summary="Moving.")
    recommend(exercise, guideline, "1.2.2", Strength.CONSIDER)
    recommend(exercise, acp, "Recommendation 2", Strength.STRONG_MODERATE, order=1)
    injections = Treatment.objects.create(
        name="Injections", category="injections", summary="A needle."
    )
    recommend(injections, guideline, "1.3.1", Strength.DO_NOT_OFFER)
    return [exercise, injections]


def comparison_page(index, treatments, slug="facet"):
    comparison = {"caption": "Compared", "intro": "", "treatments": [t.pk for t in treatments]}
    page = ConditionPageFactory(
        parent=index,
        slug=slug,
        body=[
            stream_item(
                "section",
                section_data("Treatment", "treatment", [stream_item("comparison", comparison)]),
            )
        ],
    )
    page.save_revision().publish()
    return page


def table_of(client, host, path="/facet/"):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one("table")


def json_ld(client, host, path="/facet/"):
    html = BeautifulSoup(client.get(path, HTTP_HOST=host).content, "html.parser")
    return json.loads(html.select_one('script[type="application/ld+json"]').string)


def therapies(graph) -> dict:
    condition = next(node for node in graph["@graph"] if node["@type"] == "MedicalCondition")
    return {therapy["name"]: therapy for therapy in condition["possibleTreatment"]}


@pytest.fixture
def clinics(uk_clinic, us_clinic, guideline, acp, treatments):
    """The UK clinic follows NICE NG59, the US clinic the ACP's guideline; each shows the
    same comparison."""
    uk_clinic[2].guidelines.set([guideline])
    us_clinic[2].guidelines.set([acp])
    comparison_page(uk_clinic[0], treatments)
    comparison_page(us_clinic[0], treatments)
    return uk_clinic, us_clinic


@pytest.mark.django_db
class TestTable:
    def test_each_clinic_shows_its_own_guideline_in_its_own_words(self, client, clinics):
        uk = table_of(client, "uk.example").get_text(" ", strip=True)
        assert "Recommendations from NICE NG59, each in its own words." in uk
        assert "Consider" in uk and "Do not offer" in uk and "NICE NG59 1.3.1" in uk
        assert "American College of Physicians" not in uk and "Strong" not in uk

        us = table_of(client, "us.example").get_text(" ", strip=True)
        assert "Recommendations from American College of Physicians (ACP 2017)" in us
        assert "Strong recommendation, moderate-quality evidence" in us
        assert "American College of Physicians (ACP 2017) Recommendation 2" in us
        assert "NICE" not in us and "Consider" not in us
        assert "national guideline" not in (uk + us).lower()

    def test_a_treatment_the_chosen_guideline_does_not_cover_says_so(self, client, clinics):
        rows = table_of(client, "us.example").select("tbody tr")
        injections = rows[1].get_text(" ", strip=True)
        assert "No recommendation in American College of Physicians (ACP 2017)." in injections
        # Not "advised against": nothing shown says so.
        assert "advise against" not in injections and "Not known" in injections

    def test_a_clinic_that_chose_none_shows_every_guideline(self, client, uk_clinic, treatments):
        comparison_page(uk_clinic[0], treatments)
        text = table_of(client, "uk.example").get_text(" ", strip=True)
        assert "Consider" in text and "Strong recommendation, moderate-quality evidence" in text
        assert "Recommendations from NICE NG59, American College of Physicians (ACP 2017)" in text

    def test_choosing_costs_no_query(self, client, uk_clinic, guideline, treatments, settings):
        """The choice comes with the clinic's settings: a page with one costs what a page
        without one does. (Rendered each time: the fragment cache is off.)"""
        settings.WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = 0
        comparison_page(uk_clinic[0], treatments)
        counts = []
        for chosen in ([], [guideline]):
            uk_clinic[2].guidelines.set(chosen)
            client.get("/facet/", HTTP_HOST="uk.example")
            with CaptureQueriesContext(connection) as queries:
                table = table_of(client, "uk.example")
            counts.append(len(queries))
            shows_acp = "Strong recommendation" in table.get_text()
            assert shows_acp == (not chosen)
        assert counts[0] == counts[1]

    def test_a_new_choice_makes_cached_pages_stale(self, client, clinics, acp):
        """The page is kept in the fragment cache; choosing another guideline shows it."""
        (_index, _site, uk), _us = clinics
        assert "Strong" not in table_of(client, "uk.example").get_text()
        before = CacheGeneration.current()
        uk.guidelines.add(acp)
        assert CacheGeneration.current() != before
        assert "Strong recommendation" in table_of(client, "uk.example").get_text()
        before = CacheGeneration.current()
        acp.clinics.remove(uk)  # from the guideline's side
        assert CacheGeneration.current() != before
        assert "Strong" not in table_of(client, "uk.example").get_text()


@pytest.mark.django_db
class TestStructuredData:
    def test_each_clinic_names_its_guidelines_authority(self, client, clinics):
        uk = therapies(json_ld(client, "uk.example"))
        (exercise,) = uk["Exercise"]["guideline"]
        assert exercise["name"] == "NICE NG59 1.2.2"
        assert exercise["recognizingAuthority"]["name"] == "NICE"
        assert exercise["recommendationStrength"] == "Consider"
        (injections,) = uk["Injections"]["guideline"]
        assert injections["@type"] == "MedicalGuidelineContraindication"

        us = therapies(json_ld(client, "us.example"))
        (exercise,) = us["Exercise"]["guideline"]
        assert exercise["name"] == "American College of Physicians (ACP 2017) Recommendation 2"
        assert exercise["recognizingAuthority"]["name"] == "American College of Physicians"
        assert exercise["recommendationStrength"] == (
            "Strong recommendation, moderate-quality evidence"
        )
        assert "guideline" not in us["Injections"]


@pytest.mark.django_db
class TestAPI:
    def test_the_api_shows_the_clinics_guidelines(self, client, clinics):
        (uk_index, _site, _uk), (us_index, _us_site, _us) = clinics
        for host, index, name, strengths in (
            ("uk.example", uk_index, "NICE NG59", [["consider"], ["do_not_offer"]]),
            (
                "us.example",
                us_index,
                "American College of Physicians (ACP 2017)",
                [["strong_moderate"], []],
            ),
        ):
            page = index.get_children().get(slug="facet")
            data = client.get(f"/api/v2/pages/{page.pk}/", HTTP_HOST=host).json()
            table = data["body"][0]["value"]["content"][0]["value"]
            assert [g["name"] for g in table["guidelines"]] == [name]
            shown = [[r["strength"] for r in t["recommendations"]] for t in table["treatments"]]
            assert shown == strengths
            for treatment in table["treatments"]:
                for recommendation in treatment["recommendations"]:
                    assert recommendation["guideline_name"] == name


@pytest.mark.django_db
class TestStrengthWords:
    def test_every_strength_belongs_to_one_scheme(self):
        schemes = [set(strengths) for strengths in SCHEME_STRENGTHS.values()]
        assert set().union(*schemes) == set(Strength)
        assert sum(len(s) for s in schemes) == len(Strength)

    def test_a_strength_in_another_guidelines_words_is_refused(self, guideline, acp):
        treatment = Treatment.objects.create(name="Exercise", category="exercise", summary="x")
        recommendation = GuidelineRecommendation(
            treatment=treatment,
            guideline=acp,
            guideline_version="2017-04-04",
            recommendation_id="Recommendation 2",
            strength=Strength.CONSIDER,
            source_url=ACP_SOURCE,
        )
        with pytest.raises(ValidationError) as error:
            recommendation.full_clean()
        (message,) = error.value.message_dict["strength"]
        assert "American College of Physicians (ACP 2017) does not use this strength" in message
        assert "Strong recommendation, moderate-quality evidence" in message
        recommendation.strength = Strength.STRONG_MODERATE
        recommendation.full_clean()
        recommendation.guideline = guideline
        with pytest.raises(ValidationError, match="NICE NG59 does not use"):
            recommendation.full_clean()

    def test_the_admin_refuses_it_on_the_strength_field(self, admin_client, acp):
        data = nested_form_data(
            {
                "name": "Exercise programme",
                "category": "exercise",
                "written_in": "uk",
                "summary": "Exercises chosen with you.",
                "involves": "",
                "time_to_benefit": "",
                "typical_course": "",
                "recommendations": inline_formset(
                    [
                        {
                            "guideline": str(acp.pk),
                            "guideline_version": "2017-04-04",
                            "recommendation_id": "Recommendation 2",
                            "strength": "offer",
                            "caveats": "",
                            "source_url": ACP_SOURCE,
                        }
                    ],
                    min=1,
                ),
            }
        )
        url = reverse("wagtail_spinecare_treatment_modeladmin_create")
        response = admin_client.post(url, data)
        assert response.status_code == 200
        errors = response.context["form"].formsets["recommendations"].forms[0].errors
        assert list(errors) == ["strength"]
        assert not Treatment.objects.exists()
        data["recommendations-0-strength"] = "strong_moderate"
        assert admin_client.post(url, data).status_code == 302
        assert Treatment.objects.get().recommendations.get().strength_label == (
            "Strong recommendation, moderate-quality evidence"
        )

    def test_the_strength_is_chosen_from_each_schemes_words(self):
        field = GuidelineRecommendation._meta.get_field("strength")
        groups = [str(group) for group, _choices in field.choices]
        assert groups == [str(scheme.label) for scheme in StrengthScheme]


@pytest.mark.django_db
class TestCheck:
    def page(self, uk_clinic, treatments, clinician):
        return comparison_page(uk_clinic[0], treatments).specific

    def test_a_clinic_that_chose_none_is_warned(self, uk_clinic, treatments, clinician):
        page = comparison_page(uk_clinic[0], treatments)
        page.reviewed_by = clinician
        findings = [f for f in run_checks(page, site=uk_clinic[1]) if f.code.startswith("guid")]
        (finding,) = findings
        assert (finding.code, finding.severity) == ("guidelines-not-chosen", WARNING)
        assert "Harbour Physio has not chosen the guidelines it follows" in finding.message
        assert finding.path == (0, "content", 0)

    def test_a_clinic_that_chose_is_not(self, uk_clinic, treatments, guideline):
        uk_clinic[2].guidelines.set([guideline])
        page = comparison_page(uk_clinic[0], treatments)
        codes = {f.code for f in run_checks(page, site=uk_clinic[1])}
        assert "guidelines-not-chosen" not in codes


@pytest.mark.django_db
def test_clinic_settings_offer_the_choice(admin_client, uk_clinic, guideline, acp):
    _index, site, clinic = uk_clinic
    url = reverse("wagtailsettings:edit", args=["wagtail_spinecare", "clinicsettings", site.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    assert "guidelines" in form.fields
    assert "guidelines this clinic follows" in str(form.fields["guidelines"].help_text)
    html = response.content.decode()
    assert "ACP 2017" in html and "NICE NG59" in html
    assert ClinicSettings.for_site(site).chosen_guideline_ids == frozenset()
    clinic.guidelines.set([acp])
    assert ClinicSettings.for_site(site).chosen_guideline_ids == {acp.pk}


@pytest.mark.django_db
def test_clinic_staff_choose_guidelines_in_the_settings_form(
    admin_client, client, uk_clinic, guideline, acp, treatments
):
    """Ticking a guideline in the admin's clinic settings form saves the choice, and the
    clinic's comparison shows it at once."""
    from .test_patient_record_permissions import form_data

    _index, site, clinic = uk_clinic
    comparison_page(uk_clinic[0], treatments)
    assert "Strong recommendation" in table_of(client, "uk.example").get_text()
    url = reverse("wagtailsettings:edit", args=["wagtail_spinecare", "clinicsettings", site.pk])
    data = {
        key: values[0] if len(values) == 1 else values
        for key, values in form_data(admin_client.get(url)).items()
    }
    data["guidelines"] = [str(guideline.pk)]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert set(clinic.guidelines.all()) == {guideline}
    assert "Strong recommendation" not in table_of(client, "uk.example").get_text()


@pytest.mark.django_db
def test_a_guideline_keeps_its_words_while_recommendations_use_them(guideline, treatments):
    guideline.strength_scheme = StrengthScheme.ACP
    with pytest.raises(ValidationError) as error:
        guideline.full_clean()
    (message,) = error.value.message_dict["strength_scheme"]
    assert message.startswith("2 of this guideline's recommendations use other strength words")
    GuidelineRecommendation.objects.filter(guideline=guideline).delete()
    guideline.full_clean()


@pytest.mark.django_db
class TestTreatmentsInEachClinicsWords:
    @pytest.fixture
    def programmes(self, uk_clinic, us_clinic, guideline):
        """A treatment written in UK English, and one written in US English."""
        uk_written = Treatment.objects.create(
            name="Exercise programme",
            category="exercise",
            summary="Joint mobilisation, then a programme at the centre.",
            typical_course="A programme of 6 sessions",
        )
        recommend(uk_written, guideline, "1.2.2", Strength.CONSIDER)
        us_written = Treatment.objects.create(
            name="Behavioral therapy",
            category="psychological",
            summary="A program to change behavior.",
            written_in="us",
        )
        recommend(us_written, guideline, "1.2.14", Strength.CONSIDER)
        comparison_page(uk_clinic[0], [uk_written, us_written])
        comparison_page(us_clinic[0], [uk_written, us_written])
        return uk_written, us_written

    def test_the_table_reads_in_the_clinics_spelling(self, client, programmes):
        us = table_of(client, "us.example").get_text(" ", strip=True)
        assert "Exercise program Joint mobilization, then a program at the center." in us
        assert "Usually A program of 6 sessions." in us
        assert "Behavioral therapy A program to change behavior." in us
        assert "programme" not in us.lower() and "centre" not in us.lower()

        uk = table_of(client, "uk.example").get_text(" ", strip=True)
        assert "Exercise programme Joint mobilisation, then a programme at the centre." in uk
        assert "Behavioural therapy A programme to change behaviour." in uk

    def test_the_structured_data_and_the_api_read_as_the_table(self, client, programmes):
        assert set(therapies(json_ld(client, "us.example"))) == {
            "Exercise program",
            "Behavioral therapy",
        }
        assert set(therapies(json_ld(client, "uk.example"))) == {
            "Exercise programme",
            "Behavioural therapy",
        }
        page = ConditionPage.objects.descendant_of(
            Site.objects.get(hostname="us.example").root_page
        ).get(slug="facet")
        api = client.get(f"/api/v2/pages/{page.pk}/", HTTP_HOST="us.example").json()
        assert "Exercise program" in json.dumps(api) and "programme" not in json.dumps(api)

    def test_the_treatment_itself_is_unchanged(self, client, programmes):
        table_of(client, "us.example")
        uk_written, _us_written = programmes
        uk_written.refresh_from_db()
        assert uk_written.name == "Exercise programme"
