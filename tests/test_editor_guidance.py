"""Editors are led through a condition page: skeleton, block previews, preview per clinic."""

import json
from html import unescape

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.models import Site

from wagtail_spinecare.blocks import ConditionBodyBlock, SectionContentBlock
from wagtail_spinecare.blocks.previews import BlockGroup
from wagtail_spinecare.factories import ConditionPageFactory
from wagtail_spinecare.models import ConditionPage, Testimonial
from wagtail_spinecare.skeleton import SECTIONS, condition_page_body

GROUPS = {str(BlockGroup.LAYOUT), str(BlockGroup.CLINICAL), str(BlockGroup.ENGAGEMENT)}
NOTE = "Notes only editors may read: recovery takes 2 to 6 weeks"


def picker_blocks():
    """Every block an editor can pick in a condition page's body or in a section."""
    return [
        *ConditionBodyBlock().child_blocks.items(),
        *SectionContentBlock().child_blocks.items(),
    ]


@pytest.mark.django_db
class TestSkeleton:
    def test_a_new_condition_page_opens_with_the_recommended_sections(
        self, admin_client, uk_clinic
    ):
        index, _site, _clinic = uk_clinic
        url = reverse(
            "wagtailadmin_pages:add", args=("wagtail_spinecare", "conditionpage", index.pk)
        )
        response = admin_client.get(url)
        body = response.context["form"]["body"].value()
        sections = [child.value for child in body if child.block_type == "section"]
        assert [(s["aspect"], s["heading"]) for s in sections] == [
            (aspect, str(heading)) for aspect, heading, _guidance in SECTIONS
        ]
        assert [child.block_type for child in body][-2:] == ["faq", "booking_cta"]
        html = unescape(response.content.decode())
        assert str(SECTIONS[0][2]) in html  # the guidance, in the editor

    def test_editing_an_existing_page_keeps_its_own_body(self, admin_client, condition_page):
        url = reverse("wagtailadmin_pages:edit", args=(condition_page.pk,))
        assert str(SECTIONS[1][1]) not in admin_client.get(url).content.decode()

    def test_empty_sections_and_guidance_never_reach_patients(self, client, uk_clinic, clinician):
        index, _site, _clinic = uk_clinic
        body = condition_page_body()
        body[0]["value"]["editor_notes"] = NOTE
        body[0]["value"]["content"] = [
            {"type": "paragraph", "value": "<p>Whiplash is a strain of the neck.</p>"}
        ]
        page = ConditionPageFactory(parent=index, slug="whiplash", body=body, reviewed_by=clinician)
        html = client.get("/whiplash/", HTTP_HOST="uk.example").content.decode()
        soup = BeautifulSoup(html, "html.parser")
        assert [h.get_text() for h in soup.select(".sc-section__heading")] == [str(SECTIONS[0][1])]
        assert "Notes only editors" not in html
        assert not soup.select(".sc-faq")  # the skeleton's FAQ has no questions yet
        searchable = " ".join(
            ConditionPage._meta.get_field("body").get_searchable_content(page.body)
        )
        assert "Notes only editors" not in searchable and "Whiplash is a strain" in searchable
        api = page.body.stream_block.get_api_representation(page.body)
        assert "editor_notes" not in json.dumps(api)

    def test_guidance_is_not_checked_as_content(self, uk_clinic, clinician):
        from wagtail_spinecare.checks import run_checks

        index, site, _clinic = uk_clinic
        body = condition_page_body()
        body[0]["value"]["editor_notes"] = NOTE
        body[1]["value"]["editor_notes"] = "Recovery takes 12 to 20 weeks, say the notes."
        page = ConditionPageFactory(parent=index, slug="notes", body=body, reviewed_by=clinician)
        codes = {finding.code for finding in run_checks(page, site=site)}
        assert "recovery-time-conflict" not in codes

    def test_a_deleted_skeleton_section_can_be_added_back(self):
        section = ConditionBodyBlock().child_blocks["section"]
        assert section.get_default()["content"] is not None
        value = section.to_python(condition_page_body()[3]["value"])
        assert section.clean(value)["aspect"] == SECTIONS[3][0]


@pytest.mark.django_db
class TestBlockPicker:
    @pytest.mark.parametrize("name,block", picker_blocks(), ids=lambda v: getattr(v, "name", v))
    def test_every_block_has_an_icon_a_description_a_group_and_a_preview(
        self, admin_client, name, block, uk_clinic
    ):
        assert block.meta.icon and block.meta.icon != "placeholder"
        assert str(block.get_description())
        assert str(block.meta.group) in GROUPS
        assert block.is_previewable
        response = admin_client.get(
            reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
        )
        assert response.status_code == 200
        main = BeautifulSoup(response.content, "html.parser").select_one("main")
        assert main.get_text(strip=True), f"{name} previews as nothing"
        assert b"spinecare.css" in response.content

    def test_the_stories_preview_is_made_up_never_a_patients(self, admin_client, demo):
        block = SectionContentBlock().child_blocks["testimonials"]
        response = admin_client.get(
            reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
        )
        html = response.content.decode()
        assert "An example patient" in html
        for testimonial in Testimonial.objects.all():
            assert testimonial.quote not in html

    def test_every_field_has_help_for_editors(self):
        def leaves(block, path):
            children = getattr(block, "child_blocks", None)
            if children and not isinstance(block, SectionContentBlock):
                for name, child in children.items():
                    yield from leaves(child, f"{path}.{name}")
            elif getattr(block, "child_block", None) is not None:
                # A list's help covers the items it lists.
                if str(getattr(block.meta, "help_text", "") or ""):
                    yield path, block
                else:
                    yield from leaves(block.child_block, path)
            elif not children:
                yield path, block

        missing = sorted(
            {
                path
                for name, block in picker_blocks()
                for path, leaf in leaves(block, name)
                if not str(getattr(leaf, "field", leaf.meta).help_text or "")
            }
        )
        assert missing == []

    def test_previews_use_the_library(self, admin_client, uk_clinic):
        from wagtail_factories import ImageFactory

        from wagtail_spinecare.models import Treatment

        ImageFactory(title="Spine model")
        Treatment.objects.get_or_create(name="Walking programme", category="exercise")
        blocks = SectionContentBlock().child_blocks
        for name, selector in (("figure", "img"), ("comparison", "table")):
            response = admin_client.get(
                reverse("wagtailadmin_block_preview"), {"id": blocks[name].definition_prefix}
            )
            assert BeautifulSoup(response.content, "html.parser").select_one(f"main {selector}")


SHARED = "/shared-clinical-content/facet-joint-back-pain/"


@pytest.mark.django_db
class TestPreviewAsEachClinic:
    def test_preview_modes_name_every_clinic_and_the_shared_text(self, demo):
        page = ConditionPage.objects.get(url_path=SHARED)
        labels = [str(label) for _mode, label in page.preview_modes]
        assert labels == [
            "Shared text (no clinic)",
            "As Harbourside Physiotherapy shows it",
            "As Lakeview Physical Therapy shows it",
        ]

    def test_a_clinics_page_previews_first_as_its_site(self, demo):
        from wagtail_spinecare.models import ClinicConditionPage

        page = ClinicConditionPage.objects.get(url_path="/lakeview/facet-joint-back-pain/")
        labels = [str(label) for _mode, label in page.preview_modes]
        assert labels[0] == "As this page's own site"
        assert labels[2] == "As Lakeview Physical Therapy shows it"

    @pytest.mark.parametrize("host", ["harbourside.localhost", "lakeview.localhost"])
    def test_the_default_preview_is_the_shared_text_on_no_clinics_site(self, demo, rf, host):
        """Whichever clinic's address the admin is reached at."""
        page = ConditionPage.objects.get(url_path=SHARED)
        response = page.make_preview_request(original_request=rf.get("/", HTTP_HOST=host))
        assert response.status_code == 200
        html = response.content.decode()
        # The library's words (UK), as written.
        assert "physiotherap" in html.split('class="sc-review"')[0]
        for clinic in ("Harbourside", "Lakeview", "0117 496 0123", "(319) 555-0142"):
            assert clinic not in html
        notice = BeautifulSoup(html, "html.parser").select_one(".sc-preview-notice").get_text()
        assert "on no clinic's site" in notice and "Choose a clinic under Preview mode" in notice
        for story in Testimonial.objects.filter(condition_page=page):
            assert story.quote not in html

    def test_each_clinic_preview_shows_that_clinics_words_numbers_and_stories(self, demo):
        page = ConditionPage.objects.get(url_path=SHARED)
        previews = {}
        for mode, _label in page.preview_modes[1:]:
            site = Site.objects.get(pk=mode.removeprefix("clinic-"))
            previews[site.hostname] = page.make_preview_request(preview_mode=mode)
        uk = previews["harbourside.localhost"].content.decode()
        us = previews["lakeview.localhost"].content.decode()
        assert "Preview as Harbourside Physiotherapy" in uk
        assert "on no clinic's site" not in uk
        assert "Preview as Lakeview Physical Therapy" in us
        assert "0117 496 0123" in uk and "(319) 555-0142" in us
        assert "999" in uk and "911" not in uk
        assert "911" in us and "physical therapy" in us.lower()
        # The shared text is written in UK words; the US clinic's preview reads in its own.
        assert "physiotherap" in uk.split('class="sc-review"')[0]
        assert "physiotherap" not in us.split('class="sc-review"')[0]
        us_site = Site.objects.get(hostname="lakeview.localhost")
        for story in Testimonial.objects.publishable(us_site):
            if story.condition_page_id == page.pk:
                assert story.quote in us

    def test_a_clinic_page_previews_with_its_draft_overlays(self, demo):
        from wagtail_spinecare.models import ClinicConditionPage

        page = ClinicConditionPage.objects.get(url_path="/lakeview/facet-joint-back-pain/")
        page.introduction = "A draft welcome from Lakeview."
        response = page.make_preview_request()
        html = response.content.decode()
        assert response.status_code == 200
        assert "A draft welcome from Lakeview." in html and "physical therap" in html
        page.shared_page = None
        assert "not available" in page.make_preview_request().content.decode()

    def test_an_unknown_clinic_is_404(self, demo, rf):
        from django.http import Http404

        page = ConditionPage.objects.get(url_path=SHARED)
        for mode in ("clinic-99999", "clinic-x'; --"):
            with pytest.raises(Http404):
                page.serve_preview(rf.get("/"), mode)
