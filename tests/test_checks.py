"""Content checks: every finding code, on pages that have the problem and pages that do not.

Pages are built in memory from raw StreamField data (``ConditionPage(body=[...])``), as the
page editor hands them to the checks before anything is saved. The two seed pages in
``/work/shared/seeds`` are real clinic pages with real defects; their words are used here.
"""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Site
from wagtail_factories import DocumentFactory, ImageFactory

from wagtail_spinecare import consent_actions
from wagtail_spinecare.checks import (
    ERROR,
    WARNING,
    Finding,
    errors,
    reading_grade,
    run_checks,
)
from wagtail_spinecare.factories import (
    ConditionPageFactory,
    care_card_data,
    faq_data,
    figure_data,
    section_data,
    stream_item,
)
from wagtail_spinecare.models import (
    ConditionPage,
    GuidelineRecommendation,
    Treatment,
    TreatmentComparisonPage,
)
from wagtail_spinecare.models.consent_records import Channel, ConsentMethod, LawfulBasis
from wagtail_spinecare.models.testimonials import Naming
from wagtail_spinecare.models.testimonials import Testimonial as PatientStory

REVIEW = "Clinical review"


# Words from the seed pages -----------------------------------------------------------------

UK_PROMISE = (
    "There are many possible treatments for facet joint back pain, and it’s natural to feel "
    "confused about which is best. Here’s how they compare, based on current guidelines and "
    "evidence."
)
UK_STOCK_ALTS = [
    "closeup shot of a man receiving a massage 2025 02 11 21 55 43 utc converted",
    "woman hurting her back at the gym 2025 03 14 04 43 30 utc converted",
    "pain in back cropped image of young african man t 2025 02 22 03 13 10 utc converted",
    "close up photo of therapist doing manual treatment 2025 03 09 05 06 29 utc converted",
    "physiotherapy clinic back recovery massage 2025 03 23 18 46 58 utc converted",
    "physiotherapist while working on a young woman bac 2025 03 07 18 41 03 utc converted",
    "woman physiotherapist hands massaging male back in 2024 10 21 04 04 39 utc converted",
    "physiotherapist massaging back of man lying on mas 2024 11 19 04 44 27 utc converted",
    "close up for doctor hands doing medical spine mass 2024 12 06 08 05 40 utc converted",
    "Back Pain 3 converted",
]
UK_FAQ_ANSWERS = [
    "Many people notice improvement within a few weeks, though full recovery can take "
    "several months.",
    "In most cases, no. With exercise and lifestyle strategies, outcomes are good.",
    "Yes. Gentle walking reduces stiffness and maintains mobility.",
    "Not usually. Imaging is only needed if red flag symptoms are present or conservative care "
    "fails.",
    "Avoid long periods of immobility. Focus on pacing and gradual movement.",
]
US_INTRO = [
    "Pain in the back can be debilitating and is one of the most common reasons why people "
    "seek medical attention. Facet joint dysfunction is a term used to describe pain caused by "
    "inflamed joints in the spinal column, which can further cause discomfort in the back.",
    "Fortunately, physical therapy offers a supportive approach to managing this type of pain. "
    "From exercises to techniques that aim to restore range of motion, physical therapy helps "
    "patients with facet joint dysfunction and back pain in many ways. Whether through manual "
    "therapy to relieve inflammation or targeted exercises to strengthen the back muscles, "
    "physical therapy is an effective way to manage pain and reduce the need for medication or "
    "invasive procedures. Overall, with a qualified and experienced physical therapist, "
    "patients can experience pain relief, improved mobility, and better quality of life.",
]
US_RECOVERY = (
    "Physical therapy takes 4 to 6 weeks to ease facet joint dysfunction or back pain. "
    "Although, the severity of symptoms may affect recovery time. Patients must stay consistent "
    "with treatment and home exercise programs to strengthen muscles supporting the spine and "
    "reduce future flare-ups. Relief from this condition takes at least 8 weeks."
)
PLAIN = [
    "Back pain is common. It often gets better on its own. Keep moving. Walk a bit each day.",
    "Sit less and take breaks. Ask us if you are not sure what to do. Most people feel a lot "
    "better soon. We can help you get back to the things you love to do.",
]


# Building pages ----------------------------------------------------------------------------


def today():
    return timezone.localdate()


def p(*paragraphs):
    return stream_item("paragraph", "".join(f"<p>{text}</p>" for text in paragraphs))


def section(heading, *content, aspect="overview"):
    return stream_item("section", section_data(heading, aspect, list(content)))


def figure(image, alt):
    return stream_item("figure", figure_data(image.pk, alt))


def faq(*items, heading="Common questions"):
    return stream_item(
        "faq",
        {
            "heading": heading,
            "items": [{"question": q, "answer": f"<p>{a}</p>"} for q, a in items],
        },
    )


def care_card(level, more_page=None):
    return stream_item("care_card", care_card_data(level, more_page=more_page))


def do_dont(do, dont):
    return stream_item("do_dont", {"do": list(do), "dont": list(dont)})


def comparison(*treatments):
    return stream_item(
        "comparison",
        {"caption": "Treatments compared", "intro": "", "treatments": [t.pk for t in treatments]},
    )


def stories_block(*stories):
    return stream_item(
        "testimonials",
        {"heading": "Patient stories", "testimonials": [s.pk for s in stories], "latest_count": 0},
    )


def condition(body=(), clinician=None, **fields):
    """A condition page as the editor would save it: never saved here, no pk, no path."""
    values = {
        "title": "Facet joint back pain",
        "slug": "facet-joint-back-pain",
        "quick_answer": "Most people get better with exercise.",
        "reviewed_by": clinician,
        "last_reviewed": today() - timedelta(days=30),
        "next_review_due": today() + timedelta(days=300),
        "body": list(body),
    }
    values.update(fields)
    return ConditionPage(**values)


def only(findings, code):
    return [finding for finding in findings if finding.code == code]


def codes(findings):
    return sorted({finding.code for finding in findings})


def at_figure(path, figure_path):
    """The path names the figure, or the image field inside it."""
    return path in (figure_path, (*figure_path, "image"))


def section_label(heading):
    return f"Section “{heading}”"


@pytest.fixture
def site(uk_clinic, guideline):
    """The UK clinic's site; the clinic follows NICE NG59."""
    uk_clinic[2].guidelines.add(guideline)
    return uk_clinic[1]


@pytest.fixture
def image(db):
    return ImageFactory()


@pytest.fixture
def check(site, clinician):
    """Run the checks on an unsaved page with ``body`` on the UK clinic's site."""

    def run(*body, **fields):
        fields.setdefault("clinician", clinician)
        return run_checks(condition(body, **fields), site=site)

    return run


def make_treatment(guideline, name="Exercise therapy"):
    treatment = Treatment.objects.create(
        name=name, category="exercise", summary=f"What {name} is.", time_to_benefit="2 to 6 weeks"
    )
    GuidelineRecommendation.objects.create(
        treatment=treatment,
        guideline=guideline,
        guideline_version=guideline.current_version,
        recommendation_id="1.2.1",
        strength="consider",
        source_url="https://www.nice.org.uk/guidance/ng59/chapter/Recommendations",
        sort_order=0,
    )
    return treatment


# The Finding itself ------------------------------------------------------------------------


def test_finding_is_error_and_as_dict():
    finding = Finding("alt-text-filename", ERROR, "Describe it.", "Section “A”", (0, "content", 1))
    assert finding.is_error
    assert not Finding("review-overdue", WARNING, "Due.").is_error
    assert finding.as_dict() == {
        "code": "alt-text-filename",
        "severity": "error",
        "message": "Describe it.",
        "location": "Section “A”",
        "path": [0, "content", 1],
    }
    assert errors([finding, Finding("x", WARNING, "y")]) == [finding]


# Clinical review ---------------------------------------------------------------------------


@pytest.mark.django_db
class TestReview:
    def test_a_reviewed_page_has_no_findings(self, check):
        assert check() == []

    def test_review_missing_names_everything_missing(self, check):
        (finding,) = check(clinician=None, last_reviewed=None, next_review_due=None)
        assert (finding.code, finding.severity) == ("review-missing", ERROR)
        assert finding.location == REVIEW
        assert finding.path == ()
        for missing in (
            "the reviewing clinician",
            "the date it was last reviewed",
            "the date the next review is due",
        ):
            assert missing in finding.message

    def test_review_missing_names_only_what_is_missing(self, check):
        (finding,) = only(check(clinician=None), "review-missing")
        assert finding.message.endswith("Missing: the reviewing clinician.")
        (finding,) = only(check(next_review_due=None), "review-missing")
        assert finding.message.endswith("Missing: the date the next review is due.")
        assert "clinician" not in finding.message

    def test_review_date_in_the_future(self, check):
        tomorrow = today() + timedelta(days=1)
        findings = check(last_reviewed=tomorrow, next_review_due=tomorrow + timedelta(days=200))
        (finding,) = findings
        assert (finding.code, finding.severity, finding.location) == (
            "review-date-future",
            ERROR,
            REVIEW,
        )
        assert tomorrow.isoformat() in finding.message
        assert only(check(last_reviewed=today()), "review-date-future") == []

    def test_review_interval_too_long_for_the_default_twelve_months(self, check):
        last = today() - timedelta(days=10)
        findings = check(last_reviewed=last, next_review_due=last + timedelta(days=400))
        (finding,) = findings
        assert (finding.code, finding.severity, finding.location) == (
            "review-interval-too-long",
            ERROR,
            REVIEW,
        )
        assert "12 months" in finding.message
        assert check(last_reviewed=last, next_review_due=last + timedelta(days=360)) == []

    def test_review_interval_follows_the_clinics_setting(self, check, uk_clinic):
        _index, _site, clinic = uk_clinic
        last = today() - timedelta(days=10)
        two_years = {"last_reviewed": last, "next_review_due": last + timedelta(days=730)}
        assert codes(check(**two_years)) == ["review-interval-too-long"]
        clinic.review_interval_months = 36
        clinic.save()
        assert check(**two_years) == []
        four_years = {"last_reviewed": last, "next_review_due": last + timedelta(days=4 * 365)}
        (finding,) = check(**four_years)
        assert finding.code == "review-interval-too-long"
        assert "36 months" in finding.message

    def test_review_interval_ends_on_the_same_day_months_later(self, site, clinician):
        # 31 August + 6 months is the last day of February.
        page = condition(
            clinician=clinician, last_reviewed=date(2025, 8, 31), next_review_due=date(2026, 2, 28)
        )
        settings = site.clinicsettings
        settings.review_interval_months = 6
        settings.save()
        assert run_checks(page, site=site, today=date(2025, 9, 1)) == []
        page.next_review_due = date(2026, 3, 1)
        (finding,) = run_checks(page, site=site, today=date(2025, 9, 1))
        assert finding.code == "review-interval-too-long"
        assert "2026-02-28" in finding.message

    def test_review_overdue_is_a_warning(self, check):
        yesterday = today() - timedelta(days=1)
        (finding,) = check(last_reviewed=yesterday - timedelta(days=300), next_review_due=yesterday)
        assert (finding.code, finding.severity, finding.location) == (
            "review-overdue",
            WARNING,
            REVIEW,
        )
        assert yesterday.isoformat() in finding.message
        assert not finding.is_error

    def test_review_due_today_is_not_overdue(self, check):
        assert check(last_reviewed=today() - timedelta(days=300), next_review_due=today()) == []

    def test_pages_without_a_review_are_not_review_checked(self, site):
        from wagtail_spinecare.models import ConditionIndexPage

        index = ConditionIndexPage(title="Conditions", slug="conditions", body=[])
        assert run_checks(index, site=site) == []


# Unsaved pages -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_runs_on_a_page_never_saved(site, clinician, image):
    page = condition(
        [
            section("Overview", figure(image, "A physio testing a patient's back")),
            faq(("", "An orphan answer.")),
        ],
        clinician=clinician,
        next_review_due=today() - timedelta(days=1),
    )
    assert page.pk is None and not page.path
    findings = run_checks(page, site=site)
    assert codes(findings) == ["faq-missing-question", "review-overdue"]
    assert only(findings, "faq-missing-question")[0].path == (1, "items", 0)
    assert not ConditionPage.objects.exists()


@pytest.mark.django_db
def test_runs_on_a_page_never_saved_without_a_site(clinician):
    page = condition([section("Overview", p("Plain words."))], clinician=clinician)
    assert run_checks(page) == []


# Images ------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestAltText:
    @pytest.mark.parametrize(
        "alt",
        [
            "closeup shot of a man receiving a massage 2025 02 11 21 55 43 utc converted",
            "IMG_2041.jpg",
            "back-pain-3",
            "Back Pain 3 converted",
            "DSC_0042",
            "physio-shutterstock.png",
        ],
    )
    def test_file_names_and_stock_references(self, check, image, alt):
        findings = check(
            section("Introduction", p("Facet joints guide the spine."), figure(image, alt))
        )
        (finding,) = findings
        assert (finding.code, finding.severity) == ("alt-text-filename", ERROR)
        assert finding.location == section_label("Introduction")
        assert at_figure(finding.path, (0, "content", 1))
        assert alt in finding.message

    @pytest.mark.parametrize(
        "alt",
        [
            "A physiotherapist guiding a patient through a back stretch",
            "X-ray of a lower spine with the facet joints circled",
            "A woman doing a 10-minute walk in a park",
        ],
    )
    def test_real_descriptions(self, check, image, alt):
        assert check(section("Introduction", figure(image, alt))) == []

    def test_each_image_is_found_where_it_is(self, check, image):
        findings = check(
            section("Introduction", figure(image, "A physio testing a patient's back")),
            section("Symptoms", p("Stiffness."), figure(image, UK_STOCK_ALTS[1])),
        )
        (finding,) = findings
        assert finding.location == section_label("Symptoms")
        assert at_figure(finding.path, (1, "content", 1))

    def test_decorative_image_is_not_checked(self, check, image):
        decorative = stream_item(
            "figure",
            {"image": {"image": image.pk, "decorative": True, "alt_text": ""}, "caption": ""},
        )
        assert check(section("Introduction", decorative)) == []


# Sections ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestDuplicateSections:
    def test_the_uk_seeds_repeated_section(self, check):
        findings = check(
            section("Treatment options explained", p(UK_PROMISE)),
            section("Self-care and lifestyle strategies", p(UK_PROMISE)),
        )
        (finding,) = only(findings, "section-duplicate")
        assert finding.severity == ERROR
        assert finding.location == section_label("Self-care and lifestyle strategies")
        assert finding.path == (1,)
        assert section_label("Treatment options explained") in finding.message

    def test_identical_content_under_different_headings(self, check):
        same = p("Keep moving and stay active. Gentle walking every day helps most people.")
        findings = check(
            section("Self-care", same), section("Looking after your back at home", same)
        )
        assert codes(findings) == ["section-duplicate"]

    def test_different_sections(self, check):
        findings = check(
            section(
                "Symptoms", p("Stiffness in the lower back, worse first thing in the morning.")
            ),
            section(
                "Self-care",
                p("Keep moving, pace your activities and build strength a little every week."),
            ),
        )
        assert findings == []


# Questions and answers ---------------------------------------------------------------------


@pytest.mark.django_db
class TestFAQ:
    def test_answer_without_question_in_a_faq_block(self, check):
        findings = check(
            section(
                "Common questions",
                faq(("Will it last?", "Usually not."), ("", "An orphan answer.")),
            )
        )
        (finding,) = findings
        assert (finding.code, finding.severity) == ("faq-missing-question", ERROR)
        assert finding.location == section_label("Common questions")
        assert finding.path == (0, "content", 0, "items", 1)
        assert "Answer 2" in finding.message

    def test_answer_without_question_in_a_top_level_faq(self, check):
        (finding,) = check(faq(("   ", "An orphan answer.")))
        assert finding.code == "faq-missing-question"
        assert finding.location == "Page content"
        assert finding.path == (0, "items", 0)

    def test_the_uk_seeds_answers_only_faq(self, check):
        (finding,) = check(section("Frequently asked questions", p(*UK_FAQ_ANSWERS)))
        assert (finding.code, finding.severity) == ("faq-missing-question", ERROR)
        assert finding.location == section_label("Frequently asked questions")
        assert finding.path == (0,)

    def test_answers_only_under_a_question_mark_heading(self, check):
        (finding,) = check(section("Any questions?", p(*UK_FAQ_ANSWERS)))
        assert finding.code == "faq-missing-question"

    def test_proper_faq(self, check):
        findings = check(
            section(
                "Frequently asked questions",
                faq(
                    ("How long does it take to get better?", UK_FAQ_ANSWERS[0]),
                    ("Can I walk with facet joint pain?", UK_FAQ_ANSWERS[2]),
                ),
            ),
            stream_item("faq", faq_data(2)),
        )
        assert findings == []


# Promised comparison -----------------------------------------------------------------------

PROMISE = "Here's how they compare, based on current guidelines and evidence."


@pytest.mark.django_db
class TestComparisonPromised:
    def test_promise_without_comparison(self, check):
        findings = check(
            section("Introduction", p("Facet joints guide the spine.")),
            section("Treatment options explained", p("There are many treatments.", PROMISE)),
        )
        (finding,) = findings
        assert (finding.code, finding.severity) == ("comparison-promised", ERROR)
        assert finding.location == section_label("Treatment options explained")
        assert finding.path == (1, "content", 0)

    def test_promise_kept(self, check, guideline):
        treatment = make_treatment(guideline)
        findings = check(
            section("Treatment options explained", p(PROMISE), comparison(treatment)),
        )
        assert findings == []

    def test_promise_kept_in_a_later_section(self, check, guideline):
        treatment = make_treatment(guideline)
        findings = check(
            section("Treatment options explained", p(PROMISE)),
            section("Treatments compared", comparison(treatment), aspect="treatment"),
        )
        assert findings == []

    def test_comparison_before_the_promise_does_not_keep_it(self, check, guideline):
        treatment = make_treatment(guideline)
        findings = check(
            section("Treatments compared", comparison(treatment), aspect="treatment"),
            section("Treatment options explained", p(PROMISE)),
        )
        assert codes(findings) == ["comparison-promised"]
        assert findings[0].path == (1, "content", 0)

    def test_comparison_with_no_treatment_does_not_keep_it(self, check):
        empty = stream_item("comparison", {"caption": "Compared", "intro": "", "treatments": []})
        findings = check(section("Treatment options explained", p(PROMISE), empty))
        assert codes(findings) == ["comparison-promised"]

    def test_on_a_comparison_page(self, site, clinician, guideline):
        treatment = make_treatment(guideline)

        def page(*body):
            return TreatmentComparisonPage(
                title="Treatments compared",
                slug="treatments",
                intro="Treatments side by side.",
                reviewed_by=clinician,
                last_reviewed=today() - timedelta(days=30),
                next_review_due=today() + timedelta(days=300),
                body=list(body),
            )

        (finding,) = run_checks(page(p(PROMISE)), site=site)
        assert finding.code == "comparison-promised"
        assert (finding.location, finding.path) == ("Page content", (0,))
        assert run_checks(page(p(PROMISE), comparison(treatment)), site=site) == []


# Recovery times ----------------------------------------------------------------------------


@pytest.mark.django_db
class TestRecoveryTimes:
    def test_the_us_seeds_contradiction(self, check):
        findings = check(section("How Long Does Recovery Take?", p(US_RECOVERY)))
        (finding,) = findings
        assert (finding.code, finding.severity) == ("recovery-time-conflict", ERROR)
        assert finding.location == section_label("How Long Does Recovery Take?")
        assert "4 to 6 weeks" in finding.message
        assert "at least 8 weeks" in finding.message

    def test_contradiction_across_sections(self, check):
        findings = check(
            section("Treatment", p("Most people notice improvement within 2 to 6 weeks.")),
            section("Recovery", p("Relief usually takes more than 3 months.")),
        )
        assert codes(findings) == ["recovery-time-conflict"]

    def test_one_recovery_time(self, check):
        assert (
            check(section("Recovery", p("Most people notice improvement within 2 to 6 weeks.")))
            == []
        )

    def test_consistent_times(self, check):
        findings = check(
            section(
                "Recovery",
                p(
                    "Most people notice improvement within 2 to 6 weeks.",
                    "A full course usually takes 6 to 12 weeks.",
                ),
            )
        )
        assert findings == []

    def test_overlapping_ranges_agree(self, check):
        findings = check(
            section("Recovery", p("Pain usually eases in 2 to 6 weeks.")),
            section("Treatment", p("Most people are better within 8 weeks.")),
        )
        assert findings == []


# Reading age -------------------------------------------------------------------------------


@pytest.mark.django_db
class TestReadingAge:
    def test_dense_prose(self, check):
        heading = "Physical Therapy: A Supportive Approach for Facet Joint Dysfunction"
        (finding,) = check(section("Overview", p("Plain words.")), section(heading, p(*US_INTRO)))
        assert (finding.code, finding.severity) == ("reading-age", WARNING)
        assert finding.location == section_label(heading)
        assert finding.path == (1,)
        assert "reading age of about" in finding.message

    def test_plain_words(self, check):
        assert check(section("Back pain", p(*PLAIN))) == []

    def test_short_sections_are_not_graded(self, check):
        # Dense, but too short for a reading age to mean anything.
        assert check(section("Overview", p(US_INTRO[0]))) == []

    def test_grade_ordering(self):
        dense, plain = reading_grade(" ".join(US_INTRO)), reading_grade(" ".join(PLAIN))
        assert dense > 10 > plain
        assert reading_grade("") == 0.0


# Care cards and do/don't lists -------------------------------------------------------------


@pytest.mark.django_db
class TestCareCards:
    def test_emergency_card_with_a_link(self, check, uk_clinic):
        index, _site, _clinic = uk_clinic
        findings = check(
            section(
                "When to get help",
                care_card("urgent"),
                care_card("emergency", more_page=index),
                aspect="when_to_get_help",
            )
        )
        (finding,) = findings
        assert (finding.code, finding.severity) == ("emergency-card-link", ERROR)
        assert finding.location == section_label("When to get help")
        assert finding.path == (0, "content", 1)

    def test_emergency_card_without_a_link_and_other_cards_with_one(self, check, uk_clinic):
        index, _site, _clinic = uk_clinic
        findings = check(
            section(
                "When to get help",
                care_card("emergency"),
                care_card("non_urgent", more_page=index),
                aspect="when_to_get_help",
            )
        )
        assert findings == []


@pytest.mark.django_db
class TestDoDont:
    def test_dont_without_do_not(self, check):
        findings = check(
            section(
                "Self-care",
                p("Small changes help."),
                do_dont(["keep moving"], ["do not stay in bed", "don't lift heavy things"]),
            )
        )
        (finding,) = findings
        assert (finding.code, finding.severity) == ("dont-without-do-not", ERROR)
        assert finding.location == section_label("Self-care")
        assert finding.path == (0, "content", 1, "dont", 1)
        assert "don't lift heavy things" in finding.message

    def test_every_dont_starts_with_do_not(self, check):
        assert (
            check(section("Self-care", do_dont(["keep moving"], ["Do not lift heavy things"])))
            == []
        )


# Patient stories ---------------------------------------------------------------------------


def make_story(site):
    return PatientStory.objects.create(
        site=site,
        quote="Six weeks of simple exercises got me back to gardening without pain.",
        naming=Naming.FIRST_NAME_INITIAL,
        patient_name="Sarah Jones",
    )


def give_consent(story, sites):
    return consent_actions.give(
        story,
        sites=sites,
        expires_on=today() + timedelta(days=365),
        evidence=DocumentFactory(),
        method=ConsentMethod.SIGNED_FORM,
        wording="I agree that the clinic may publish the quote above, exactly as written.",
        wording_version="2026-01",
        lawful_basis=LawfulBasis.UK_GDPR_EXPLICIT,
        channels=(Channel.WEB,),
    )


@pytest.mark.django_db
class TestTestimonials:
    """Told as the clinic's own editors read them; other editors: see
    tests/test_testimonial_masking.py."""

    @pytest.fixture
    def reader(self, db):
        from django.contrib.auth import get_user_model

        from wagtail_spinecare.testimonial_display import TestimonialReader

        return TestimonialReader(
            get_user_model().objects.create_superuser("both", "b@x.example", "pw")
        )

    def test_story_without_consent(self, clinician, site, reader):
        story = make_story(site)
        body = [section("Patient stories", stories_block(story), aspect="success_stories")]
        findings = run_checks(condition(body, clinician=clinician), site=site, reader=reader)
        (finding,) = findings
        assert (finding.code, finding.severity) == ("testimonial-not-publishable", WARNING)
        assert finding.location == section_label("Patient stories")
        assert finding.path == (0, "content", 0)
        assert "no consent has been recorded" in finding.message
        assert story.excerpt in finding.message

    def test_story_with_consent(self, check, site):
        story = make_story(site)
        give_consent(story, [site])
        assert check(section("Patient stories", stories_block(story))) == []

    def test_story_with_consent_for_another_site(self, clinician, site, us_clinic, reader):
        _index, us_site, _clinic = us_clinic
        story = make_story(site)
        give_consent(story, [site])
        page = condition([section("Patient stories", stories_block(story))], clinician=clinician)
        (finding,) = run_checks(page, site=us_site, reader=reader)
        assert finding.code == "testimonial-not-publishable"
        assert "does not cover this clinic's site" in finding.message


# Guidelines --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestGuidelineSuperseded:
    def body(self, treatment):
        return section("Treatments compared", comparison(treatment), aspect="treatment")

    def test_current_recommendation(self, check, guideline):
        assert check(self.body(make_treatment(guideline))) == []

    def test_superseded_recommendation(self, check, guideline):
        treatment = make_treatment(guideline, "Exercise therapy")
        guideline.current_version = "2027-01-15"
        guideline.save()
        (finding,) = check(self.body(treatment))
        assert (finding.code, finding.severity) == ("guideline-superseded", WARNING)
        assert finding.location == section_label("Treatments compared")
        assert finding.path == (0, "content", 0)
        for words in ("Exercise therapy", "NICE NG59", "1.2.1", "2020-12-11", "2027-01-15"):
            assert words in finding.message


# The demo ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_pages_pass_every_check():
    call_command("spinecare_demo", stdout=open_null())
    from wagtail_spinecare.models import ClinicConditionPage

    pages = [
        *ConditionPage.objects.all(),
        *ClinicConditionPage.objects.all(),
        *TreatmentComparisonPage.objects.all(),
    ]
    assert len(pages) == 5
    for page in pages:
        assert run_checks(page) == [], page.url_path
        latest = page.get_latest_revision_as_object()
        assert run_checks(latest) == [], page.url_path


@pytest.mark.django_db
def test_demo_page_overdue_for_review():
    """The issue's "Done means": a demo page due for review yesterday says review-overdue."""
    call_command("spinecare_demo", stdout=open_null())
    page = ConditionPage.objects.first()
    page.next_review_due = today() - timedelta(days=1)
    findings = run_checks(page)
    assert [finding.code for finding in findings] == ["review-overdue"]
    assert findings[0].severity == WARNING


def open_null():
    from io import StringIO

    return StringIO()


# The seed pages, whole ---------------------------------------------------------------------


def uk_seed_body(image):
    alts = iter(UK_STOCK_ALTS)
    return [
        section(
            "Introduction",
            figure(image, next(alts)),
            p(
                "Facet joint back pain is one of the most common yet misunderstood causes of "
                "lower back discomfort. If you have pain that feels stiff in the morning, sore "
                "after sitting too long, or aggravated when bending backwards, your facet joints "
                "may be involved.",
            ),
        ),
        section(
            "What are facet joints and why do they hurt?",
            figure(image, next(alts)),
            p(
                "Your spine is made up of a series of bones called vertebrae. Between each "
                "vertebra are small stabilising joints called facet joints.",
            ),
            aspect="causes",
        ),
        section(
            "Symptoms and when to seek help",
            figure(image, next(alts)),
            p(
                "Facet joint pain often has a distinctive pattern. Many people describe "
                "stiffness in the lower back, especially first thing in the morning.",
            ),
            aspect="symptoms",
        ),
        section(
            "How physiotherapy helps recovery",
            figure(image, next(alts)),
            p(
                "Physiotherapy is one of the most effective and well-supported treatments for "
                "facet joint back pain.",
            ),
            aspect="treatment",
        ),
        section(
            "Treatment options explained",
            figure(image, next(alts)),
            p(UK_PROMISE),
            aspect="treatment",
        ),
        section(
            "Self-care and lifestyle strategies",
            figure(image, next(alts)),
            p(UK_PROMISE),
            aspect="self_care",
        ),
        section(
            "Success stories and patient journeys",
            figure(image, next(alts)),
            p(
                "Many people come to us frustrated, having tried different treatments without "
                "lasting relief.",
            ),
            aspect="success_stories",
        ),
        section(
            "Frequently asked questions",
            figure(image, next(alts)),
            p(*UK_FAQ_ANSWERS),
        ),
        section(
            "Book your facet joint assessment in Southampton",
            figure(image, next(alts)),
            p("Ready to take the next step? Book your assessment today."),
        ),
        section("Take the next step in your recovery", figure(image, next(alts))),
    ]


def us_seed_body():
    return [
        section("Physical Therapy: A Supportive Approach", p(*US_INTRO)),
        section(
            "What To Expect At Physical Therapy",
            p(
                "Patients seeking treatment for facet joint dysfunction or lower back pain can "
                "expect a thorough intake process when visiting a physical therapist.",
            ),
            aspect="what_to_expect",
        ),
        section(
            "What Types Of Exercises You Might Do",
            stream_item(
                "paragraph",
                "<ul><li>Core stabilization exercises – this helps build muscle strength around "
                "your lower back</li><li>Back extension stretches – this helps reduce stiffness "
                "and tension in your lower spine</li></ul>",
            ),
            aspect="exercises",
        ),
        section("How Long Does Recovery Take?", p(US_RECOVERY), aspect="recovery_timeline"),
    ]


@pytest.mark.django_db
def test_uk_seed_page_stock_photo_captions(check, image):
    findings = check(*uk_seed_body(image))
    # Every stock-photo caption is found, each in its own section.
    alt_findings = only(findings, "alt-text-filename")
    assert len(alt_findings) == len(UK_STOCK_ALTS)
    for i, finding in enumerate(alt_findings):
        assert at_figure(finding.path, (i, "content", 0))
    assert alt_findings[0].location == section_label("Introduction")


@pytest.mark.django_db
def test_uk_seed_page(check, image):
    findings = check(*uk_seed_body(image))
    found = codes(findings)
    for code in ("section-duplicate", "faq-missing-question", "comparison-promised"):
        assert code in found, code
    assert only(findings, "section-duplicate")[0].location == section_label(
        "Self-care and lifestyle strategies"
    )
    assert only(findings, "comparison-promised")[0].location == section_label(
        "Treatment options explained"
    )
    assert only(findings, "faq-missing-question")[0].location == section_label(
        "Frequently asked questions"
    )
    assert len(errors(findings)) == len(findings)


@pytest.mark.django_db
def test_us_seed_page(check):
    findings = check(*us_seed_body())
    assert codes(findings) == ["reading-age", "recovery-time-conflict"]
    assert only(findings, "reading-age")[0].path == (0,)


@pytest.mark.django_db
def test_saved_factory_page(condition_page):
    condition_page.body = [section("Self-care", do_dont(["keep moving"], ["don't sit for hours"]))]
    condition_page.save_revision().publish()
    page = ConditionPage.objects.get(pk=condition_page.pk)
    assert page.get_site() == Site.objects.get(hostname="uk.example")
    (finding,) = run_checks(page)
    assert (finding.code, finding.path) == ("dont-without-do-not", (0, "content", 0, "dont", 0))
    assert run_checks(ConditionPageFactory(parent=page.get_parent(), slug="clean")) == []
