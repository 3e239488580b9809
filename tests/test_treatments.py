"""Treatment comparison: records, the accessible table, the comparison page, staying current."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from wagtail_spinecare.blocks import TreatmentComparisonBlock
from wagtail_spinecare.factories import (
    ClinicianFactory,
    ConditionPageFactory,
    section_data,
    stream_item,
)
from wagtail_spinecare.models import (
    GuidelineRecommendation,
    Treatment,
    TreatmentComparisonPage,
    superseded_recommendations,
)
from wagtail_spinecare.models.treatments import Strength

from .forms import EMPTY_INLINES


def make_treatment(guideline, name, *recommendations):
    treatment = Treatment.objects.create(
        name=name, category="exercise", summary=f"What {name} is.", time_to_benefit="2 to 6 weeks"
    )
    for order, (number, strength) in enumerate(recommendations or [("1.2.2", "consider")]):
        GuidelineRecommendation.objects.create(
            treatment=treatment,
            guideline=guideline,
            guideline_version=guideline.current_version,
            recommendation_id=number,
            strength=strength,
            source_url="https://www.nice.org.uk/guidance/ng59/chapter/Recommendations",
            sort_order=order,
        )
    return treatment


def comparison(treatments, caption="Treatments compared"):
    return {"caption": caption, "intro": "", "treatments": [t.pk for t in treatments]}


def page_with_comparison(index, treatments, slug="facet"):
    page = ConditionPageFactory(
        parent=index,
        slug=slug,
        body=[
            stream_item(
                "section",
                section_data(
                    "Treatment", "treatment", [stream_item("comparison", comparison(treatments))]
                ),
            )
        ],
    )
    page.save_revision().publish()
    return page


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.django_db
class TestTable:
    def test_accessible_structure(self, client, uk_clinic, guideline):
        index, _site, _clinic = uk_clinic
        treatments = [
            make_treatment(guideline, "Exercise", ("1.2.2", "consider")),
            make_treatment(guideline, "Injections", ("1.3.1", "do_not_offer")),
        ]
        page_with_comparison(index, treatments)
        table = soup(client.get("/facet/", HTTP_HOST="uk.example")).select_one("table")
        caption = table.caption.get_text(" ", strip=True)
        assert (
            caption == "Treatments compared Recommendations from NICE NG59, each in its own words."
        )
        headers = table.select("thead th")
        assert headers and all(th["scope"] == "col" for th in headers)
        row_headers = table.select("tbody th")
        assert [th.get_text(strip=True) for th in row_headers] == ["Exercise", "Injections"]
        assert all(th["scope"] == "row" for th in row_headers)
        # strength in words, with its source, never by colour alone
        text = table.get_text(" ", strip=True)
        assert "Consider" in text and "Do not offer" in text
        links = [a["href"] for a in table.select("a")]
        assert links == ["https://www.nice.org.uk/guidance/ng59/chapter/Recommendations"] * 2
        assert "NICE NG59 1.3.1" in text

    def test_queries_do_not_grow_with_treatments(
        self, client, uk_clinic, guideline, django_assert_num_queries
    ):
        index, _site, _clinic = uk_clinic
        few = [make_treatment(guideline, f"Few {i}") for i in range(2)]
        many = [
            make_treatment(guideline, f"Many {i}", ("1.2.2", "consider"), ("1.2.7", "consider"))
            for i in range(8)
        ]
        page_with_comparison(index, few, slug="few")
        page_with_comparison(index, many, slug="many")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = {}
        for slug in ("few", "many"):
            client.get(f"/{slug}/", HTTP_HOST="uk.example")
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/{slug}/", HTTP_HOST="uk.example")
            assert response.status_code == 200
            counts[slug] = len(queries)
        assert counts["few"] == counts["many"]

    def test_treatment_without_recommendations_costs_one_more_query(
        self, client, uk_clinic, guideline, settings
    ):
        """Recommendations bring their treatments; a treatment with none is fetched apart.
        (Rendered each time: the fragment cache is off.)"""
        settings.WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = 0
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        index, _site, _clinic = uk_clinic
        advised = make_treatment(guideline, "Advised", ("1.2.2", "consider"))
        bare = Treatment.objects.create(name="Not yet appraised", category="exercise")
        page_with_comparison(index, [advised], slug="advised")
        page_with_comparison(index, [advised, bare], slug="mixed")
        counts = {}
        for slug in ("advised", "mixed"):
            client.get(f"/{slug}/", HTTP_HOST="uk.example")
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/{slug}/", HTTP_HOST="uk.example")
            counts[slug] = len(queries)
        assert counts["mixed"] == counts["advised"] + 1
        rows = soup(response).select("tbody tr")
        assert [row.th.get_text(strip=True) for row in rows] == ["Advised", "Not yet appraised"]
        assert "Consider" in rows[0].get_text() and "Consider" not in rows[1].get_text()

    def test_recommendations_in_their_order_on_the_page_and_the_treatment(self, guideline):
        treatment = make_treatment(guideline, "Ordered", ("1.2.7", "consider"), ("1.2.2", "offer"))
        block = TreatmentComparisonBlock()
        (loaded,) = block.child_blocks["treatments"].child_block.bulk_to_python([treatment.pk])
        numbers = [r.recommendation_id for r in loaded.recommendation_list]
        assert numbers == ["1.2.7", "1.2.2"]
        fresh = Treatment.objects.get(pk=treatment.pk)
        assert [r.recommendation_id for r in fresh.recommendation_list] == numbers

    def test_deleted_treatment_leaves_its_row_out(self, client, uk_clinic, guideline):
        index, _site, _clinic = uk_clinic
        kept, gone = make_treatment(guideline, "Kept"), make_treatment(guideline, "Gone")
        page_with_comparison(index, [kept, gone])
        gone.delete()
        rows = soup(client.get("/facet/", HTTP_HOST="uk.example")).select("tbody th")
        assert [th.get_text(strip=True) for th in rows] == ["Kept"]

    def test_block_needs_a_treatment(self):
        block = TreatmentComparisonBlock()
        with pytest.raises(Exception) as excinfo:
            block.clean(block.to_python({"caption": "x", "intro": "", "treatments": []}))
        assert "treatments" in excinfo.value.block_errors

    def test_searchable_content_includes_treatment_names(self, guideline):
        block = TreatmentComparisonBlock()
        treatment = make_treatment(guideline, "Exercise programme")
        value = block.to_python(comparison([treatment]))
        assert "Exercise programme" in block.get_searchable_content(value)


@pytest.mark.django_db
class TestTreatmentRowsInTheEditor:
    """Each treatment row of a comparison is labelled with the chosen treatment's name, which
    Wagtail's editor shows in the row's header, collapsed or not: the chooser's state carries
    it as the title (the widget's text label)."""

    def test_each_row_is_labelled_with_its_treatment(self, guideline):
        block = TreatmentComparisonBlock()
        treatments = [
            make_treatment(guideline, "Exercise programme"),
            make_treatment(guideline, "Facet injection"),
        ]
        state = block.get_form_state(block.to_python(comparison(treatments)))
        assert [row["value"]["title"] for row in state["treatments"]] == [
            "Exercise programme",
            "Facet injection",
        ]

    def test_the_page_editor_sends_the_names(self, admin_client, uk_clinic, guideline):
        treatments = [
            make_treatment(guideline, "Exercise programme"),
            make_treatment(guideline, "Facet injection"),
        ]
        page = page_with_comparison(uk_clinic[0], treatments)
        response = admin_client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
        assert response.status_code == 200
        # The rows' state, in the order chosen, as the editor's script receives it.
        html = unescape(response.content.decode())
        assert re.findall(r'"title": ?"([^"]*)"', html) == ["Exercise programme", "Facet injection"]


@pytest.mark.django_db
class TestKeepingCurrent:
    def test_guideline_update_lists_superseded_recommendations(self, guideline):
        treatment = make_treatment(guideline, "Exercise")
        assert not superseded_recommendations().exists()
        guideline.current_version = "2027-01-15"
        guideline.save()
        superseded = list(superseded_recommendations())
        assert [r.treatment for r in superseded] == [treatment]
        assert superseded[0].is_superseded


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


@pytest.mark.django_db
class TestTreatmentAdmin:
    def post_treatment(self, admin_client, **recommendation):
        data = nested_form_data(
            {
                "name": "Exercise programme",
                "category": "exercise",
                "written_in": "uk",
                "summary": "Exercises chosen with you.",
                "involves": "",
                "time_to_benefit": "",
                "typical_course": "",
                "recommendations": inline_formset([recommendation], min=1),
            }
        )
        return admin_client.post(reverse("wagtail_spinecare_treatment_modeladmin_create"), data)

    def test_recommendation_needs_guideline_id_and_strength(self, admin_client, guideline):
        response = self.post_treatment(
            admin_client,
            guideline="",
            guideline_version="2020-12-11",
            recommendation_id="",
            strength="",
            caveats="",
            source_url="https://www.nice.org.uk/guidance/ng59",
        )
        assert response.status_code == 200
        errors = response.context["form"].formsets["recommendations"].forms[0].errors
        assert {"guideline", "recommendation_id", "strength"} <= set(errors)
        assert not Treatment.objects.exists()

    def test_treatment_with_recommendation_is_saved(self, admin_client, guideline):
        response = self.post_treatment(
            admin_client,
            guideline=str(guideline.pk),
            guideline_version="2020-12-11",
            recommendation_id="1.2.2",
            strength="consider",
            caveats="",
            source_url="https://www.nice.org.uk/guidance/ng59",
        )
        assert response.status_code == 302
        assert Treatment.objects.get().recommendations.get().recommendation_id == "1.2.2"


@pytest.mark.django_db
class TestComparisonPage:
    def add_url(self, index):
        return reverse(
            "wagtailadmin_pages:add",
            args=("wagtail_spinecare", "treatmentcomparisonpage", index.pk),
        )

    def form(self, body, **extra):
        data = {
            "title": "Treatments compared",
            "slug": "treatments",
            "intro": "Treatments side by side.",
            "body": streamfield(body),
            "reviewed_by": str(ClinicianFactory().pk),
            "last_reviewed": (date.today() - timedelta(days=1)).isoformat(),
            "next_review_due": (date.today() + timedelta(days=180)).isoformat(),
            "seo_title": "",
            "search_description": "",
            "go_live_at": "",
            "expire_at": "",
            **EMPTY_INLINES,
            **extra,
        }
        return nested_form_data(data)

    def test_cannot_publish_without_a_comparison(self, admin_client, uk_clinic):
        index, _site, _clinic = uk_clinic
        data = self.form(
            [
                (
                    "paragraph",
                    rich_text("<p>Hi</p>"),
                )
            ]
        )
        data["action-publish"] = "action-publish"
        response = admin_client.post(self.add_url(index), data)
        assert response.status_code == 200
        assert "cannot be published without one" in str(response.context["form"].errors["body"])
        assert not TreatmentComparisonPage.objects.exists()

    def test_publishes_with_a_comparison_and_is_linked_from_its_condition(
        self, admin_client, client, uk_clinic, guideline
    ):
        index, _site, _clinic = uk_clinic
        condition = ConditionPageFactory(parent=index, slug="facet")
        treatment = make_treatment(guideline, "Exercise")
        listblock = {
            "0": {"value": str(treatment.pk), "deleted": "", "order": "0", "id": ""},
            "count": "1",
        }
        data = self.form(
            [("comparison", {"caption": "Compared", "intro": "", "treatments": listblock})],
            conditions=str(condition.pk),
        )
        data["action-publish"] = "action-publish"
        response = admin_client.post(self.add_url(index), data)
        assert response.status_code == 302, response.context["form"].errors
        page = TreatmentComparisonPage.objects.get()
        assert page.live
        html = soup(client.get("/treatments/", HTTP_HOST="uk.example"))
        assert html.select_one("table caption").get_text(" ", strip=True).startswith("Compared ")
        links = soup(client.get("/facet/", HTTP_HOST="uk.example")).select(".sc-related a")
        assert [a["href"] for a in links] == ["/treatments/"]


@pytest.mark.parametrize("strength", [*Strength.values, "withdrawn_by_the_guideline"])
def test_strength_label_is_djangos_display_in_the_active_language(strength):
    from django.utils import translation

    recommendation = GuidelineRecommendation(strength=strength)
    for language in ("en", "es"):
        with translation.override(language):
            assert str(recommendation.strength_label) == recommendation.get_strength_display()
