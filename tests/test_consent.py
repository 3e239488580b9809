"""The consent rule: a patient's story is shown only where, how and while their consent allows."""

import datetime
import json
from datetime import timedelta
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.search.backends import get_search_backend
from wagtail_factories import ImageFactory

from wagtail_spinecare import consent, consent_actions, invalidation, subjects
from wagtail_spinecare.factories import (
    ConditionPageFactory,
    section_data,
    stream_item,
)
from wagtail_spinecare.factories import (
    consent_kwargs as factory_consent_kwargs,
)
from wagtail_spinecare.models import ConditionPage
from wagtail_spinecare.models.consent_records import Channel, ConsentEvent, ConsentRecord
from wagtail_spinecare.models.testimonials import Naming
from wagtail_spinecare.models.testimonials import (
    Testimonial as PatientStory,
)

from .conftest import RecordingPurgeBatch

QUOTE = "Six weeks of simple exercises got me back to gardening without pain."
EMAIL = "sarah.jones@patients.example"
PHONE = "07700 900123"
WORDING = "I agree that the clinic may publish the quote above, exactly as written."


def now():
    return timezone.now()


def today():
    return timezone.localdate()


def end_of(day, hour=23, minute=59):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def make_testimonial(site, **fields):
    values = {
        "quote": QUOTE,
        "naming": Naming.FIRST_NAME_INITIAL,
        "patient_name": "Sarah Jones",
        "patient_email": EMAIL,
        "patient_phone": PHONE,
    }
    values.update(fields)
    return PatientStory.objects.create(site=site, **values)


def consent_kwargs(testimonial, **overrides):
    return factory_consent_kwargs(testimonial, **{"wording": WORDING, **overrides})


def give(testimonial, **overrides):
    return consent_actions.give(testimonial, **consent_kwargs(testimonial, **overrides))


def give_in_past(testimonial, days_ago, valid_days=365, **overrides):
    """Consent recorded ``days_ago`` days ago, for ``valid_days`` days, as on paper at the time."""
    given_at = now() - timedelta(days=days_ago)
    return give(
        testimonial,
        given_at=given_at,
        at=given_at,
        expires_on=timezone.localdate(given_at) + timedelta(days=valid_days),
        **overrides,
    )


def search(model, words):
    """What Wagtail's search backend finds for ``words`` among ``model``'s objects."""
    return list(get_search_backend().search(words, model))


def publishable_ids(site=None, channel=Channel.WEB, at=None):
    return set(PatientStory.objects.publishable(site, channel, at).values_list("pk", flat=True))


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("recorder", "recorder@clinic.example", "pw")


# 1. Recording consent ------------------------------------------------------------------


@pytest.mark.django_db
class TestGiveRefuses:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            pytest.param(lambda: {"evidence": None}, "evidence", id="no-evidence"),
            pytest.param(lambda: {"expires_on": None}, "expires_on", id="no-expiry"),
            pytest.param(lambda: {"expires_on": today()}, "expires_on", id="expires-today"),
            pytest.param(
                lambda: {"expires_on": today() - timedelta(days=1)}, "expires_on", id="expired"
            ),
            pytest.param(lambda: {"sites": []}, "sites", id="no-site"),
            pytest.param(lambda: {"sites": None}, "sites", id="sites-none"),
            pytest.param(lambda: {"channels": ()}, "channels", id="no-channel"),
            pytest.param(lambda: {"given_at": now() + timedelta(hours=1)}, "given_at", id="future"),
            pytest.param(lambda: {"wording": ""}, "wording", id="no-wording"),
            pytest.param(lambda: {"wording": "  \n "}, "wording", id="blank-wording"),
        ],
    )
    def test_refused_with_message_on_the_field_and_nothing_saved(
        self, uk_site, user, overrides, field
    ):
        testimonial = make_testimonial(uk_site)
        with pytest.raises(ValidationError) as excinfo:
            give(testimonial, by=user, **overrides())
        assert set(excinfo.value.message_dict) == {field}
        assert excinfo.value.message_dict[field][0]
        assert not ConsentRecord.objects.exists()
        assert not ConsentEvent.objects.exists()
        assert not PatientStory.objects.publishable().exists()

    def test_every_problem_is_reported_at_once(self, uk_site):
        testimonial = make_testimonial(uk_site)
        with pytest.raises(ValidationError) as excinfo:
            give(testimonial, evidence=None, expires_on=None, sites=[], channels=(), wording="")
        assert set(excinfo.value.message_dict) == {
            "evidence",
            "expires_on",
            "sites",
            "channels",
            "wording",
        }
        assert not ConsentRecord.objects.exists()

    def test_valid_consent_is_saved_with_the_approved_wording_and_logged(self, uk_site, user):
        testimonial = make_testimonial(uk_site)
        record = give(testimonial, by=user, channels=("web", "print"), details=("name", "age"))
        assert record.approved_quote == QUOTE
        assert record.quote_hash == testimonial.quote_hash
        assert record.captured_by == user
        assert list(record.sites.all()) == [uk_site]
        assert (record.channel_web, record.channel_print, record.channel_social) == (
            True,
            True,
            False,
        )
        assert (record.show_name, record.show_age, record.show_photo) == (True, True, False)
        event = ConsentEvent.objects.get()
        assert (event.kind, event.testimonial, event.consent_record_ref, event.by) == (
            ConsentEvent.Kind.GIVEN,
            testimonial,
            record.pk,
            user,
        )

    def test_new_consent_logs_that_it_supersedes_the_previous_one(self, uk_site):
        testimonial = make_testimonial(uk_site)
        first = give_in_past(testimonial, days_ago=10)
        second = give(testimonial)
        superseded = ConsentEvent.objects.get(kind=ConsentEvent.Kind.SUPERSEDED)
        assert superseded.consent_record_ref == first.pk
        given = ConsentEvent.objects.filter(kind=ConsentEvent.Kind.GIVEN)
        assert sorted(given.values_list("consent_record_ref", flat=True)) == [first.pk, second.pk]


# 2. The rule -----------------------------------------------------------------------------


@pytest.mark.django_db
class TestPublishable:
    def test_one_query(self, uk_site, us_site, django_assert_num_queries):
        shown = make_testimonial(uk_site)
        give(shown, sites=[uk_site, us_site])
        make_testimonial(uk_site, quote="No consent for this one.")
        for site in (uk_site, None):
            with django_assert_num_queries(1):
                result = list(PatientStory.objects.publishable(site, Channel.WEB, now()))
            assert result == [shown]

    def test_no_consent_not_publishable(self, uk_site):
        make_testimonial(uk_site)
        assert publishable_ids(uk_site) == set()
        assert publishable_ids() == set()

    def test_site_scope(self, uk_site, us_site):
        testimonial = make_testimonial(uk_site)
        give(testimonial, sites=[uk_site])
        assert publishable_ids(uk_site) == {testimonial.pk}
        assert publishable_ids(us_site) == set()
        assert publishable_ids(None) == {testimonial.pk}

    def test_consent_may_name_another_site(self, uk_site, us_site):
        testimonial = make_testimonial(uk_site)
        give(testimonial, sites=[us_site])
        assert publishable_ids(uk_site) == set()
        assert publishable_ids(us_site) == {testimonial.pk}

    def test_any_site_lists_each_story_once(self, uk_site, us_site):
        testimonial = make_testimonial(uk_site)
        give(testimonial, sites=[uk_site, us_site])
        assert list(PatientStory.objects.publishable()) == [testimonial]
        assert len(consent.valid_consents()) == 1

    def test_channel_scope(self, uk_site):
        web_only = make_testimonial(uk_site)
        give(web_only, channels=(Channel.WEB,))
        both = make_testimonial(uk_site, quote="Both channels.")
        give(both, channels=(Channel.WEB, Channel.STRUCTURED_DATA))
        print_only = make_testimonial(uk_site, quote="Print only.")
        give(print_only, channels=(Channel.PRINT,))
        assert publishable_ids(uk_site, Channel.WEB) == {web_only.pk, both.pk}
        assert publishable_ids(uk_site, "structured_data") == {both.pk}
        assert publishable_ids(uk_site, Channel.PRINT) == {print_only.pk}
        assert publishable_ids(uk_site, Channel.SOCIAL) == set()

    def test_valid_through_the_expiry_day(self, uk_site):
        testimonial = make_testimonial(uk_site)
        last_day = today() + timedelta(days=10)
        give(testimonial, expires_on=last_day)
        assert publishable_ids(uk_site, at=end_of(last_day)) == {testimonial.pk}
        assert publishable_ids(uk_site, at=end_of(last_day, 0, 0)) == {testimonial.pk}
        day_after = last_day + timedelta(days=1)
        assert publishable_ids(uk_site, at=end_of(day_after, 0, 1)) == set()
        assert publishable_ids(at=end_of(day_after, 0, 1)) == set()

    def test_expired_consent_hides_now(self, uk_site):
        testimonial = make_testimonial(uk_site)
        give_in_past(testimonial, days_ago=400, valid_days=365)
        assert publishable_ids(uk_site) == set()
        assert publishable_ids(uk_site, at=now() - timedelta(days=100)) == {testimonial.pk}

    def test_not_shown_before_consent_was_given(self, uk_site):
        testimonial = make_testimonial(uk_site)
        give_in_past(testimonial, days_ago=5)
        assert publishable_ids(uk_site, at=now() - timedelta(days=6)) == set()
        assert publishable_ids(uk_site, at=now() - timedelta(days=4)) == {testimonial.pk}

    def test_withdrawal_hides_from_then_on(self, uk_site):
        testimonial = make_testimonial(uk_site)
        give_in_past(testimonial, days_ago=10)
        withdrawn_at = now() - timedelta(days=3)
        assert consent_actions.withdraw(testimonial, channel="email", at=withdrawn_at)
        assert publishable_ids(uk_site, at=withdrawn_at - timedelta(seconds=1)) == {testimonial.pk}
        assert publishable_ids(uk_site, at=withdrawn_at) == set()
        assert publishable_ids(uk_site, at=withdrawn_at + timedelta(days=1)) == set()
        assert publishable_ids(uk_site) == set()

    def test_newer_withdrawn_record_hides_despite_valid_older_one(self, uk_site):
        testimonial = make_testimonial(uk_site)
        give_in_past(testimonial, days_ago=10)
        newer = give_in_past(testimonial, days_ago=5)
        ConsentRecord.objects.filter(pk=newer.pk).update(withdrawn_at=now() - timedelta(days=1))
        assert ConsentRecord.objects.filter(withdrawn_at__isnull=True).count() == 1
        assert publishable_ids(uk_site) == set()
        assert publishable_ids(uk_site, at=now() - timedelta(days=2)) == {testimonial.pk}

    def test_newer_narrower_record_replaces_older_scope(self, uk_site, us_site):
        testimonial = make_testimonial(uk_site)
        give_in_past(testimonial, days_ago=10, sites=[uk_site, us_site])
        give(testimonial, sites=[us_site])
        assert publishable_ids(uk_site) == set()
        assert publishable_ids(us_site) == {testimonial.pk}
        # before the newer record was given, the older one still applied
        assert publishable_ids(uk_site, at=now() - timedelta(days=5)) == {testimonial.pk}

    def test_re_consent_after_withdrawal(self, uk_site):
        testimonial = make_testimonial(uk_site)
        give_in_past(testimonial, days_ago=10)
        consent_actions.withdraw(testimonial, channel="phone", at=now() - timedelta(days=5))
        give_in_past(testimonial, days_ago=2)
        assert publishable_ids(uk_site) == {testimonial.pk}
        assert publishable_ids(uk_site, at=now() - timedelta(days=3)) == set()
        assert publishable_ids(uk_site, at=now() - timedelta(days=7)) == {testimonial.pk}

    def test_editing_the_quote_hides_it_until_consent_for_the_new_text(self, uk_site):
        testimonial = make_testimonial(uk_site)
        give(testimonial)
        testimonial.quote = QUOTE.replace("gardening", "golf")
        testimonial.save()
        assert publishable_ids(uk_site) == set()
        record = give(testimonial)
        assert record.approved_quote == testimonial.quote
        assert publishable_ids(uk_site) == {testimonial.pk}

    def test_whitespace_only_edits_do_not_count(self, uk_site):
        testimonial = make_testimonial(uk_site)
        give(testimonial)
        testimonial.quote = "  " + QUOTE.replace(" ", "  \n", 3) + "\n"
        testimonial.save()
        assert publishable_ids(uk_site) == {testimonial.pk}
        testimonial.quote = QUOTE.replace("gardening", "Gardening")
        testimonial.save()
        assert publishable_ids(uk_site) == set()


# 3. Why a story is hidden ------------------------------------------------------------------


def scenario_none(uk, us):
    return make_testimonial(uk), uk, Channel.WEB, None


def scenario_not_yet_given(uk, us):
    testimonial = make_testimonial(uk)
    give_in_past(testimonial, days_ago=5)
    return testimonial, uk, Channel.WEB, now() - timedelta(days=6)


def scenario_withdrawn(uk, us):
    testimonial = make_testimonial(uk)
    give(testimonial)
    consent_actions.withdraw(testimonial, channel="email")
    return testimonial, uk, Channel.WEB, None


def scenario_withdrawn_and_expired(uk, us):
    testimonial = make_testimonial(uk)
    give_in_past(testimonial, days_ago=400)
    consent_actions.withdraw(testimonial, channel="email")
    return testimonial, uk, Channel.WEB, None


def scenario_expired(uk, us):
    testimonial = make_testimonial(uk)
    give_in_past(testimonial, days_ago=400, valid_days=365)
    return testimonial, uk, Channel.WEB, None


def scenario_edited(uk, us):
    testimonial = make_testimonial(uk)
    give(testimonial)
    testimonial.quote = "Edited after the patient approved it."
    testimonial.save()
    return testimonial, uk, Channel.WEB, None


def scenario_other_site(uk, us):
    testimonial = make_testimonial(uk)
    give(testimonial, sites=[uk])
    return testimonial, us, Channel.WEB, None


def scenario_channel(uk, us):
    testimonial = make_testimonial(uk)
    give(testimonial, channels=(Channel.WEB,))
    return testimonial, uk, Channel.STRUCTURED_DATA, None


def scenario_valid(uk, us):
    testimonial = make_testimonial(uk)
    give(testimonial)
    return testimonial, uk, Channel.WEB, None


def scenario_valid_any_site(uk, us):
    testimonial = make_testimonial(uk)
    give(testimonial, sites=[us])
    return testimonial, None, Channel.WEB, None


def scenario_valid_before_withdrawal(uk, us):
    testimonial = make_testimonial(uk)
    give_in_past(testimonial, days_ago=10)
    consent_actions.withdraw(testimonial, channel="email", at=now() - timedelta(days=2))
    return testimonial, uk, Channel.WEB, now() - timedelta(days=5)


def scenario_re_consented(uk, us):
    testimonial = make_testimonial(uk)
    give_in_past(testimonial, days_ago=10)
    consent_actions.withdraw(testimonial, channel="email", at=now() - timedelta(days=5))
    give_in_past(testimonial, days_ago=2)
    return testimonial, uk, Channel.WEB, None


def scenario_newer_record_narrows_channels(uk, us):
    testimonial = make_testimonial(uk)
    give_in_past(testimonial, days_ago=10, channels=(Channel.WEB, Channel.STRUCTURED_DATA))
    give(testimonial, channels=(Channel.WEB,))
    return testimonial, uk, Channel.STRUCTURED_DATA, None


def scenario_between_withdrawal_and_re_consent(uk, us):
    testimonial = make_testimonial(uk)
    give_in_past(testimonial, days_ago=10)
    consent_actions.withdraw(testimonial, channel="email", at=now() - timedelta(days=5))
    give_in_past(testimonial, days_ago=2)
    return testimonial, uk, Channel.WEB, now() - timedelta(days=3)


def scenario_before_a_later_record_for_this_site(uk, us):
    testimonial = make_testimonial(uk)
    give_in_past(testimonial, days_ago=10, sites=[us])
    give_in_past(testimonial, days_ago=2, sites=[uk])
    return testimonial, uk, Channel.WEB, now() - timedelta(days=5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        (scenario_none, "no consent has been recorded"),
        (scenario_not_yet_given, "no consent has been recorded"),
        (scenario_withdrawn, "withdrew"),
        (scenario_withdrawn_and_expired, "withdrew"),
        (scenario_expired, "expired"),
        (scenario_edited, "edited"),
        (scenario_other_site, "site"),
        (scenario_channel, "channel"),
        (scenario_newer_record_narrows_channels, "channel"),
        (scenario_valid, None),
        (scenario_valid_any_site, None),
        (scenario_valid_before_withdrawal, None),
        (scenario_re_consented, None),
        (scenario_between_withdrawal_and_re_consent, "withdrew"),
        (scenario_before_a_later_record_for_this_site, "site"),
    ],
    ids=lambda value: value.__name__.removeprefix("scenario_") if callable(value) else None,
)
def test_why_hidden_names_the_failing_condition_and_agrees_with_the_rule(
    uk_site, us_site, scenario, reason
):
    testimonial, site, channel, at = scenario(uk_site, us_site)
    why = consent.why_hidden(testimonial, site, channel, at)
    shown = testimonial.pk in publishable_ids(site, channel, at)
    if reason is None:
        assert why is None
    else:
        assert why is not None and reason in why
    assert (why is None) == shown
    assert consent.may_show(testimonial, site, channel, at) == shown


def shown_on_request_path(site, at):
    """The testimonials the query every page makes (compiled once, see
    ``compat.PreparedQuery``) finds shown on ``site`` at ``at``."""
    return {record.testimonial_id for record in consent._shown_records(site, Channel.WEB, at)}


@pytest.mark.django_db
class TestTheQueryEveryPageMakes:
    """Pages ask the rule with SQL compiled once and run with each request's time: it must
    find what the rule finds, to the microsecond and the day."""

    @pytest.fixture
    def moment(self):
        return timezone.now().replace(microsecond=500_000)

    @pytest.fixture
    def stories(self, uk_site, us_site, moment):
        before = moment - timedelta(days=2)

        def story(quote, **consent_args):
            testimonial = make_testimonial(uk_site, quote=quote)
            give(testimonial, given_at=before, at=before, **consent_args)
            return testimonial

        stories = {
            "withdrawn": story("Withdrawn at the moment."),
            "expires": story("Expires on the moment's day.", expires_on=timezone.localdate(moment)),
            "valid": story("Valid throughout."),
            "elsewhere": story("Consent for another clinic only.", sites=[us_site]),
            "renewed": story("Withdrawn, then given again at the moment."),
        }
        consent_actions.withdraw(stories["withdrawn"], at=moment)
        consent_actions.withdraw(stories["renewed"], at=moment - timedelta(days=1))
        give(stories["renewed"], given_at=moment, at=moment)
        return stories

    @pytest.mark.parametrize(
        ("offset", "shown"),
        [
            (timedelta(microseconds=-1), {"withdrawn", "expires", "valid"}),
            (timedelta(0), {"expires", "valid", "renewed"}),
            (timedelta(microseconds=1), {"expires", "valid", "renewed"}),
            (timedelta(days=1), {"valid", "renewed"}),
        ],
        ids=["a microsecond before", "at the moment", "a microsecond after", "a day after"],
    )
    def test_finds_what_the_rule_finds(self, uk_site, stories, moment, offset, shown):
        at = moment + offset
        by_rule = set(
            consent.valid_consents(uk_site, Channel.WEB, at).values_list(
                "testimonial_id", flat=True
            )
        )
        expected = {stories[name].pk for name in shown}
        assert by_rule == expected
        for _ in range(2):  # compiled by the first call, or earlier in this process
            assert shown_on_request_path(uk_site, at) == expected

    def test_compiled_once(self, uk_site, stories, moment, monkeypatch):
        from django.db.models.sql.compiler import SQLCompiler

        shown_on_request_path(uk_site, moment)

        def refuse(*args, **kwargs):
            raise AssertionError("compiled again")

        monkeypatch.setattr(SQLCompiler, "as_sql", refuse)
        later = moment + timedelta(days=1)
        assert shown_on_request_path(uk_site, later) == {
            stories["valid"].pk,
            stories["renewed"].pk,
        }


# 4. Withdrawal -----------------------------------------------------------------------------


def stories_block(testimonials=(), latest_count=0, heading="What our patients say"):
    return stream_item(
        "testimonials",
        {
            "heading": heading,
            "testimonials": [t.pk for t in testimonials],
            "latest_count": latest_count,
        },
    )


def stories_section(*blocks, heading="Stories from our patients"):
    return stream_item("section", section_data(heading, "success_stories", list(blocks)))


def publish_body(page, *items):
    page.body = list(items)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.mark.django_db
class TestWithdraw:
    def test_twice_is_harmless_and_audited_once(self, uk_site, user):
        testimonial = make_testimonial(uk_site)
        record = give(testimonial)
        assert consent_actions.withdraw(testimonial, channel="phone", by=user) is True
        assert consent_actions.withdraw(testimonial, channel="email", by=user) is False
        record.refresh_from_db()
        assert record.withdrawn_at is not None
        assert record.withdrawal_channel == "phone"
        event = ConsentEvent.objects.get(kind=ConsentEvent.Kind.WITHDRAWN)
        assert (event.note, event.by, event.consent_record_ref, event.testimonial) == (
            "phone",
            user,
            record.pk,
            testimonial,
        )
        assert event.testimonial_ref == testimonial.pk
        assert event.site == uk_site

    def test_withdrawing_without_consent_does_nothing(self, uk_site):
        testimonial = make_testimonial(uk_site)
        assert consent_actions.withdraw(testimonial, channel="email") is False
        assert not ConsentEvent.objects.exists()

    def test_search_index_holds_only_publishable_stories(self, uk_site):
        testimonial = make_testimonial(uk_site)
        assert list(search(PatientStory, "gardening")) == []
        give(testimonial)
        assert list(search(PatientStory, "gardening")) == [testimonial]
        consent_actions.withdraw(testimonial, channel="email")
        assert list(search(PatientStory, "gardening")) == []

    def test_purges_live_pages_showing_it_and_its_condition_page(
        self, uk_clinic, condition_page, purges, django_capture_on_commit_callbacks
    ):
        """Once the change commits: a frontend cache that fetched the page in between would
        keep it from the data before."""
        index, site, _clinic = uk_clinic
        about = ConditionPageFactory(parent=index, slug="sciatica", title="Sciatica")
        testimonial = make_testimonial(site, condition_page=about)
        other = make_testimonial(site, quote="Someone else's story.")
        publish_body(condition_page, stories_section(stories_block([testimonial])))
        unrelated = ConditionPageFactory(parent=index, slug="unrelated")
        publish_body(unrelated, stories_section(stories_block([other])))
        draft = ConditionPageFactory(parent=index, slug="draft", live=False)
        draft.body = [stories_section(stories_block([testimonial]))]
        draft.save()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            give(testimonial)
            assert purges() == set()
        for callback in callbacks:
            callback()
        assert purges() == {condition_page.pk, about.pk}
        purges.reset()
        with django_capture_on_commit_callbacks(execute=True):
            assert consent_actions.withdraw(testimonial, channel="email")
        assert purges() == {condition_page.pk, about.pk}
        assert all(
            isinstance(page, ConditionPage)
            for batch in RecordingPurgeBatch.batches
            for page in batch.pages
        )

    def test_nothing_to_purge_when_frontend_cache_not_configured(
        self, uk_site, condition_page, monkeypatch
    ):
        def fail(*args, **kwargs):
            raise AssertionError("PurgeBatch used without a frontend cache")

        monkeypatch.setattr("wagtail.contrib.frontend_cache.utils.PurgeBatch", fail)
        assert invalidation.frontend_cache_enabled() is False
        testimonial = make_testimonial(uk_site, condition_page=condition_page)
        publish_body(condition_page, stories_section(stories_block([testimonial])))
        give(testimonial)
        assert consent_actions.withdraw(testimonial, channel="email") is True
        assert not PatientStory.objects.publishable().exists()


# 5. Expiry -----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestExpiry:
    @pytest.fixture
    def stories(self, uk_site):
        def story(quote, **consent_args):
            testimonial = make_testimonial(uk_site, quote=quote)
            if consent_args:
                give_in_past(testimonial, **consent_args)
            return testimonial

        stories = {
            "expired": story("Expired.", days_ago=400, valid_days=365),
            "valid": story("Valid for long.", days_ago=1, valid_days=300),
            "soon": story("Expires in ten days.", days_ago=355, valid_days=365),
            "edge": story("Expires in thirty days.", days_ago=335, valid_days=365),
            "later": story("Expires in 31 days.", days_ago=334, valid_days=365),
            "withdrawn_soon": story("Withdrawn, would expire soon.", days_ago=355),
            "withdrawn_expired": story("Withdrawn, expired.", days_ago=400),
            "none": story("No consent."),
        }
        consent_actions.withdraw(stories["withdrawn_soon"], channel="email")
        consent_actions.withdraw(stories["withdrawn_expired"], channel="email")
        superseded = story("Old consent expired, renewed.", days_ago=400, valid_days=365)
        give_in_past(superseded, days_ago=1, valid_days=300)
        stories["renewed"] = superseded
        renewed_soon = story("Old consent expires soon, renewed.", days_ago=355)
        give_in_past(renewed_soon, days_ago=1, valid_days=300)
        stories["renewed_soon"] = renewed_soon
        return stories

    def test_expire_logs_once_per_expired_current_record(self, stories):
        assert consent_actions.expire() == [stories["expired"]]
        events = ConsentEvent.objects.filter(kind=ConsentEvent.Kind.EXPIRED)
        assert [(e.testimonial, e.by) for e in events] == [(stories["expired"], None)]
        assert events.get().consent_record_ref == stories["expired"].consent_records.get().pk
        assert consent_actions.expire() == []
        assert consent_actions.expire() == []
        assert events.count() == 1

    def test_expiring_soon(self, stories):
        soon = list(consent.expiring_soon(30))
        assert [record.testimonial for record in soon] == [stories["soon"], stories["edge"]]
        assert [record.expires_on for record in soon] == [
            today() + timedelta(days=10),
            today() + timedelta(days=30),
        ]
        assert [r.testimonial for r in consent.expiring_soon(31)][-1] == stories["later"]
        assert [r.testimonial for r in consent.expiring_soon(5)] == []

    def test_command_lists_expired_and_expiring_with_a_summary(self, stories):
        out = StringIO()
        call_command("spinecare_expire_consents", stdout=out)
        lines = out.getvalue().splitlines()
        expired, soon, edge = stories["expired"], stories["soon"], stories["edge"]
        assert lines == [
            f"expired   #{expired.pk} uk.example: Expired.",
            f"expiring  #{soon.pk} uk.example on "
            f"{(today() + timedelta(days=10)).isoformat()}: Expires in ten days.",
            f"expiring  #{edge.pk} uk.example on "
            f"{(today() + timedelta(days=30)).isoformat()}: Expires in thirty days.",
            "1 consent(s) expired now; 2 expire within 30 days.",
        ]
        out = StringIO()
        call_command("spinecare_expire_consents", "--days", "5", stdout=out)
        assert out.getvalue().splitlines() == ["0 consent(s) expired now; 0 expire within 5 days."]
        assert ConsentEvent.objects.filter(kind=ConsentEvent.Kind.EXPIRED).count() == 1


# 6. Rendering ------------------------------------------------------------------------------

URL = "/facet-joint-back-pain/"


def get_page(client, url=URL, host="uk.example"):
    response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200
    return response


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def shown_testimonials(response):
    return [
        {
            "quote": story.select_one(".sc-testimonial__quote").get_text(" ", strip=True),
            "who": story.select_one(".sc-testimonial__who").get_text(" ", strip=True),
            "labels": [p.get_text(" ", strip=True) for p in story.select(".sc-testimonial__label")],
            "img": story.select_one("img"),
        }
        for story in soup_of(response).select(".sc-testimonial")
    ]


@pytest.mark.django_db
class TestRendering:
    @pytest.mark.parametrize(
        ("naming", "show_name", "expected"),
        [
            (Naming.FULL_NAME, True, "Sarah Jones"),
            (Naming.FIRST_NAME_INITIAL, True, "Sarah J."),
            (Naming.INITIALS, True, "S. J."),
            (Naming.ANONYMOUS, True, "A patient"),
            (Naming.FULL_NAME, False, "A patient"),
            (Naming.FIRST_NAME_INITIAL, False, "A patient"),
        ],
    )
    def test_name_as_chosen_and_consented(
        self, client, uk_site, condition_page, naming, show_name, expected
    ):
        testimonial = make_testimonial(uk_site, naming=naming)
        give(testimonial, details=("name",) if show_name else ())
        publish_body(condition_page, stories_section(stories_block([testimonial])))
        response = get_page(client)
        html = response.content.decode()
        [story] = shown_testimonials(response)
        assert story["quote"] == QUOTE
        assert story["who"] == expected
        assert EMAIL not in html
        assert PHONE not in html
        assert ("Sarah Jones" in html) == (expected == "Sarah Jones")

    @pytest.mark.parametrize(
        ("details", "who", "has_photo"),
        [
            (("name",), "Sarah J.", False),
            (("name", "age"), "Sarah J., aged 30 to 39", False),
            (("name", "occupation"), "Sarah J., Nurse", False),
            (("name", "photo"), "Sarah J.", True),
            (("name", "age", "occupation", "photo"), "Sarah J., Nurse, aged 30 to 39", True),
            ((), "A patient", False),
        ],
    )
    def test_only_the_details_consent_allows(
        self, client, uk_site, condition_page, details, who, has_photo
    ):
        testimonial = make_testimonial(
            uk_site, age_band="30-39", occupation="Nurse", photo=ImageFactory()
        )
        give(testimonial, details=details)
        publish_body(condition_page, stories_section(stories_block([testimonial])))
        response = get_page(client)
        [story] = shown_testimonials(response)
        assert story["who"] == who
        html = response.content.decode()
        assert ("Nurse" in html) == ("occupation" in details)
        assert ("30 to 39" in html) == ("age" in details)
        assert (story["img"] is not None) == has_photo
        if has_photo:
            assert story["img"]["alt"] == "Photo of Sarah J."
            assert story["img"]["src"]

    def test_outcome_story_shows_typicality_statement(self, client, uk_clinic, condition_page):
        _index, site, clinic = uk_clinic
        clinic.typicality_statement = "Results vary from person to person."
        clinic.save()
        outcome = make_testimonial(site, quote="Back to golf in six weeks.", claims_outcome=True)
        plain = make_testimonial(site, quote="The staff were kind.", claims_outcome=False)
        give(outcome)
        give(plain)
        publish_body(condition_page, stories_section(stories_block([outcome, plain])))
        stories = shown_testimonials(get_page(client))
        assert [(s["quote"], s["labels"]) for s in stories] == [
            ("Back to golf in six weeks.", ["Results vary from person to person."]),
            ("The staff were kind.", []),
        ]

    def test_material_connection_is_disclosed(self, client, uk_site, condition_page):
        free = make_testimonial(
            uk_site,
            quote="Free care.",
            material_connection="free_treatment",
            material_connection_detail="two sessions at no cost",
        )
        staff = make_testimonial(uk_site, quote="I work there.", material_connection="staff")
        give(free)
        give(staff)
        publish_body(condition_page, stories_section(stories_block([free, staff])))
        stories = shown_testimonials(get_page(client))
        assert [s["labels"] for s in stories] == [
            ["Disclosure: Received free treatment: two sessions at no cost."],
            ["Disclosure: Works for the clinic."],
        ]

    def test_hidden_stories_are_absent_and_empty_section_has_no_heading(
        self, client, uk_site, us_site, condition_page
    ):
        valid = make_testimonial(uk_site, quote="Valid story.")
        give(valid)
        withdrawn = make_testimonial(uk_site, quote="Withdrawn story.")
        give(withdrawn)
        consent_actions.withdraw(withdrawn, channel="email")
        expired = make_testimonial(uk_site, quote="Expired story.")
        give_in_past(expired, days_ago=400, valid_days=365)
        elsewhere = make_testimonial(uk_site, quote="Other site story.")
        give(elsewhere, sites=[us_site])
        publish_body(
            condition_page,
            stories_section(
                stories_block([withdrawn, valid, expired, elsewhere]), heading="Shown section"
            ),
            stories_section(
                stories_block([withdrawn, expired, elsewhere], heading="Hidden block heading"),
                heading="Hidden section",
            ),
        )
        response = get_page(client)
        html = response.content.decode()
        assert [s["quote"] for s in shown_testimonials(response)] == ["Valid story."]
        assert "Shown section" in html
        for text in ("Withdrawn story", "Expired story", "Other site story"):
            assert text not in html
        assert "Hidden section" not in html
        assert "Hidden block heading" not in html
        assert "Not shown to patients" not in html

    def test_latest_count_shows_newest_publishable_stories_of_the_condition(
        self, client, uk_clinic, us_site, condition_page
    ):
        index, site, _clinic = uk_clinic
        other_page = ConditionPageFactory(parent=index, slug="sciatica")

        def story(quote, page=condition_page, **consent_args):
            testimonial = make_testimonial(site, quote=quote, condition_page=page)
            give(testimonial, **consent_args)
            return testimonial

        story("Oldest.")
        story("Older.")
        story("Newer.")
        story("Other condition.", page=other_page)
        story("Newest, but for another site.", sites=[us_site])
        make_testimonial(site, quote="Newest, no consent.", condition_page=condition_page)
        publish_body(condition_page, stories_section(stories_block(latest_count=2)))
        quotes = [s["quote"] for s in shown_testimonials(get_page(client))]
        assert quotes == ["Newer.", "Older."]

    def test_chosen_then_latest_without_repeats(self, client, uk_site, condition_page):
        older = make_testimonial(uk_site, quote="Older.", condition_page=condition_page)
        newest = make_testimonial(uk_site, quote="Newest.", condition_page=condition_page)
        give(older)
        give(newest)
        publish_body(condition_page, stories_section(stories_block([newest], latest_count=2)))
        quotes = [s["quote"] for s in shown_testimonials(get_page(client))]
        assert quotes == ["Newest.", "Older."]

    def test_page_search_content_never_holds_the_quote(self, uk_site, condition_page):
        testimonial = make_testimonial(uk_site)
        give(testimonial)
        page = publish_body(
            condition_page,
            stories_section(stories_block([testimonial], heading="Rhododendron stories")),
        )
        content = " ".join(ConditionPage._meta.get_field("body").get_searchable_content(page.body))
        assert "Rhododendron stories" in content
        assert "gardening" not in content
        assert list(search(ConditionPage, "Rhododendron")) == [page]
        assert list(search(ConditionPage, "gardening")) == []
        assert list(search(PatientStory, "gardening")) == [testimonial]

    def test_preview_explains_hidden_stories_live_page_does_not(
        self, client, admin_user, uk_site, us_site, condition_page
    ):
        from tests.test_testimonial_masking import editor_request

        valid = make_testimonial(uk_site, quote="Valid story.")
        give(valid)
        withdrawn = make_testimonial(uk_site, quote="Withdrawn story.")
        give(withdrawn)
        consent_actions.withdraw(withdrawn, channel="email")
        expired = make_testimonial(uk_site, quote="Expired story.")
        give_in_past(expired, days_ago=400, valid_days=365)
        elsewhere = make_testimonial(uk_site, quote="Other site story.")
        give(elsewhere, sites=[us_site])
        unconsented = make_testimonial(uk_site, quote="Story without consent.")
        edited = make_testimonial(uk_site, quote="Story before editing.")
        give(edited)
        edited.quote = "Story after editing."
        edited.save()
        page = publish_body(
            condition_page,
            stories_section(
                stories_block([valid, withdrawn, expired, elsewhere, unconsented, edited])
            ),
        )
        # Previewed by someone who manages the clinic: the stories' words and reasons.
        response = page.make_preview_request(original_request=editor_request(admin_user))
        assert response.status_code == 200
        soup = BeautifulSoup(response.rendered_content, "html.parser")
        notices = [
            p.get_text(" ", strip=True) for p in soup.select(".sc-testimonials .sc-preview-notice")
        ]
        assert notices == [
            "Not shown to patients: “Withdrawn story.”, because the patient withdrew consent.",
            "Not shown to patients: “Expired story.”, because consent has expired.",
            "Not shown to patients: “Other site story.”, because consent does not cover "
            "this clinic's site.",
            "Not shown to patients: “Story without consent.”, because no consent has been "
            "recorded.",
            "Not shown to patients: “Story after editing.”, because the quote was edited after "
            "the patient approved it.",
        ]
        assert [s.get_text(" ", strip=True) for s in soup.select(".sc-testimonial__quote")] == [
            "Valid story."
        ]
        live = get_page(client)
        assert "Not shown to patients" not in live.content.decode()
        assert [s["quote"] for s in shown_testimonials(live)] == ["Valid story."]

    def test_preview_of_only_hidden_stories_shows_the_notices(self, uk_site, condition_page):
        withdrawn = make_testimonial(uk_site, quote="Withdrawn story.")
        give(withdrawn)
        consent_actions.withdraw(withdrawn, channel="email")
        page = publish_body(condition_page, stories_section(stories_block([withdrawn])))
        response = page.make_preview_request()
        soup = BeautifulSoup(response.rendered_content, "html.parser")
        assert len(soup.select(".sc-testimonials .sc-preview-notice")) == 1
        assert not soup.select(".sc-testimonial")

    def test_story_disappears_on_the_next_request_after_withdrawal(
        self, client, uk_site, condition_page
    ):
        testimonial = make_testimonial(uk_site)
        give(testimonial)
        publish_body(condition_page, stories_section(stories_block([testimonial])))
        assert QUOTE in get_page(client).content.decode()
        consent_actions.withdraw(testimonial, channel="email")
        assert QUOTE not in get_page(client).content.decode()

    def test_query_count_does_not_grow_with_stories(
        self, client, uk_clinic, django_assert_num_queries
    ):
        index, site, _clinic = uk_clinic
        pages = {}
        for count in (1, 5):
            chosen = []
            for n in range(count):
                testimonial = make_testimonial(
                    site,
                    quote=f"Story {n} of {count}.",
                    occupation="Nurse",
                    age_band="40-49",
                    photo=ImageFactory(),
                    claims_outcome=True,
                    material_connection="staff",
                )
                give(testimonial, details=("name", "age", "occupation", "photo"))
                chosen.append(testimonial)
            page = ConditionPageFactory(parent=index, slug=f"stories-{count}")
            publish_body(page, stories_section(stories_block(chosen)))
            pages[count] = f"/stories-{count}/"
        for url in pages.values():  # renditions made, caches warm
            get_page(client, url)
        with CaptureQueriesContext(connection) as one:
            response = get_page(client, pages[1])
        assert len(shown_testimonials(response)) == 1
        queries = len(one.captured_queries)
        with django_assert_num_queries(queries):
            response = get_page(client, pages[1])
        with django_assert_num_queries(queries):
            response = get_page(client, pages[5])
        stories = shown_testimonials(response)
        assert len(stories) == 5
        assert all(s["img"] is not None for s in stories)


# 7. Data subject requests ----------------------------------------------------------------------


@pytest.fixture
def patient(uk_site, us_site):
    """Sarah's three stories in different states, and another patient's story."""
    valid = make_testimonial(uk_site, quote="Sarah's valid story.")
    valid_record = give(valid, sites=[uk_site, us_site])
    withdrawn = make_testimonial(us_site, quote="Sarah's withdrawn story.")
    give(withdrawn, sites=[us_site])
    consent_actions.withdraw(withdrawn, channel="email")
    unconsented = make_testimonial(uk_site, quote="Sarah's story without consent.")
    other = make_testimonial(
        uk_site,
        quote="Tom's story.",
        patient_name="Tom Hughes",
        patient_email="tom.h@patients.example",
        patient_phone="07700 900456",
    )
    other_record = give(other)
    consent_actions.withdraw(other, channel="email")
    give(other)
    walk_in = make_testimonial(
        uk_site, quote="A walk-in patient's story.", patient_name="Alex Grey", patient_email=""
    )
    give(walk_in)
    return {
        "valid": valid,
        "valid_record": valid_record,
        "withdrawn": withdrawn,
        "unconsented": unconsented,
        "other": other,
        "other_record": other_record,
        "walk_in": walk_in,
    }


@pytest.mark.django_db
class TestExport:
    def test_everything_about_the_patient_in_every_state(self, patient, user):
        data = subjects.export("  Sarah.Jones@Patients.Example ", by=user)
        json.dumps(data)
        by_id = {item["id"]: item for item in data["testimonials"]}
        assert set(by_id) == {
            patient["valid"].pk,
            patient["withdrawn"].pk,
            patient["unconsented"].pk,
        }
        valid = by_id[patient["valid"].pk]
        assert valid["quote"] == "Sarah's valid story."
        assert valid["patient_name"] == "Sarah Jones"
        assert valid["patient_phone"] == PHONE
        assert valid["site"] == "uk.example"
        [record] = valid["consent_records"]
        assert record["approved_quote"] == "Sarah's valid story."
        assert sorted(record["sites"]) == ["uk.example", "us.example"]
        assert record["wording"] == WORDING
        assert record["withdrawn_at"] is None
        assert record["evidence"] == patient["valid_record"].evidence.title
        assert [e["kind"] for e in valid["events"]] == ["given"]
        withdrawn = by_id[patient["withdrawn"].pk]
        assert withdrawn["consent_records"][0]["withdrawn_at"] is not None
        assert {e["kind"] for e in withdrawn["events"]} == {"given", "withdrawn"}
        assert by_id[patient["unconsented"].pk]["consent_records"] == []
        assert "Tom Hughes" not in json.dumps(data)
        assert "tom.h@patients.example" not in json.dumps(data)

    def test_export_is_logged(self, patient, user):
        subjects.export(EMAIL, by=user)
        exported = ConsentEvent.objects.filter(kind=ConsentEvent.Kind.EXPORTED)
        assert {(e.testimonial_ref, e.by_id) for e in exported} == {
            (patient["valid"].pk, user.pk),
            (patient["withdrawn"].pk, user.pk),
            (patient["unconsented"].pk, user.pk),
        }
        assert not exported.filter(testimonial=patient["other"]).exists()

    @pytest.mark.parametrize(
        "email",
        [
            "nobody@patients.example",
            "",
            "   ",
        ],
    )
    def test_unknown_subject(self, patient, email):
        with pytest.raises(subjects.UnknownSubject):
            subjects.export(email)
        assert not ConsentEvent.objects.filter(kind=ConsentEvent.Kind.EXPORTED).exists()

    def test_command_prints_json(self, patient):
        out = StringIO()
        call_command("spinecare_subject_export", "--email", EMAIL, stdout=out)
        data = json.loads(out.getvalue())
        assert data["email"] == EMAIL
        assert len(data["testimonials"]) == 3

    def test_command_writes_a_file(self, patient, tmp_path):
        target = tmp_path / "export.json"
        err = StringIO()
        call_command(
            "spinecare_subject_export", "--email", EMAIL, "--output", str(target), stderr=err
        )
        assert len(json.loads(target.read_text(encoding="utf-8"))["testimonials"]) == 3
        assert "Wrote 3 testimonials" in err.getvalue()

    def test_command_fails_for_unknown_address(self, patient):
        with pytest.raises(CommandError, match="Nothing is held for nobody@patients.example") as e:
            call_command(
                "spinecare_subject_export", "--email", "nobody@patients.example", stdout=StringIO()
            )
        assert e.value.returncode != 0


def personal_data(testimonial):
    return [
        testimonial.quote,
        testimonial.patient_name,
        testimonial.patient_email,
        testimonial.patient_phone,
        *testimonial.patient_name.split(),
    ]


@pytest.mark.django_db
class TestErase:
    def test_erases_stories_records_and_evidence_leaving_anonymous_events(
        self, patient, user, condition_page, client
    ):
        Document = get_document_model()
        sarah = [patient["valid"], patient["withdrawn"], patient["unconsented"]]
        sarah_ids = [t.pk for t in sarah]
        documents = list(
            Document.objects.filter(
                pk__in=ConsentRecord.objects.filter(testimonial__in=sarah).values("evidence")
            )
        )
        assert len(documents) == 2
        files = [(doc.file.storage, doc.file.name) for doc in documents]
        assert all(storage.exists(name) for storage, name in files)
        other_events = list(
            ConsentEvent.objects.filter(testimonial=patient["other"]).values_list("kind", "note")
        )
        other_documents = set(
            ConsentRecord.objects.filter(testimonial=patient["other"]).values_list(
                "evidence", flat=True
            )
        )
        publish_body(condition_page, stories_section(stories_block([patient["valid"]])))
        assert [s["quote"] for s in shown_testimonials(get_page(client))] == [
            "Sarah's valid story."
        ]

        assert subjects.erase(EMAIL, by=user) == 3

        assert not PatientStory.objects.filter(pk__in=sarah_ids).exists()
        assert not ConsentRecord.objects.filter(testimonial_id__in=sarah_ids).exists()
        assert not Document.objects.filter(pk__in=[d.pk for d in documents]).exists()
        assert not any(storage.exists(name) for storage, name in files)
        for ref in sarah_ids:
            erased = ConsentEvent.objects.filter(kind=ConsentEvent.Kind.ERASED, testimonial_ref=ref)
            assert erased.count() == 1
            assert erased.get().by == user
        forbidden = [text for t in sarah for text in personal_data(t)]
        for row in ConsentEvent.objects.filter(testimonial_ref__in=sarah_ids).values():
            assert row["testimonial_id"] is None
            for value in row.values():
                assert not any(text in str(value) for text in forbidden), row
        # the other patient is untouched
        other = PatientStory.objects.get(pk=patient["other"].pk)
        assert other.quote == "Tom's story."
        assert other.consent_records.count() == 2
        assert (
            set(ConsentRecord.objects.filter(testimonial=other).values_list("evidence", flat=True))
            == other_documents
        )
        assert Document.objects.filter(pk__in=other_documents).count() == 2
        assert (
            list(ConsentEvent.objects.filter(testimonial=other).values_list("kind", "note"))
            == other_events
        )
        assert set(PatientStory.objects.publishable()) == {other, patient["walk_in"]}
        # a page that chose an erased story still renders, without it
        assert shown_testimonials(get_page(client)) == []
        assert list(search(PatientStory, "Sarah")) == []

    def test_unknown_subject(self, patient):
        with pytest.raises(subjects.UnknownSubject):
            subjects.erase("nobody@patients.example")
        assert PatientStory.objects.count() == 5
        assert not ConsentEvent.objects.filter(kind=ConsentEvent.Kind.ERASED).exists()

    @pytest.mark.parametrize(
        "email",
        ["", "   "],
    )
    def test_blank_address_matches_nobody(self, patient, email):
        with pytest.raises(subjects.UnknownSubject):
            subjects.erase(email)
        assert PatientStory.objects.count() == 5

    def test_command(self, patient):
        out = StringIO()
        call_command("spinecare_subject_erase", "--email", EMAIL, stdout=out)
        assert f"Erased 3 testimonials held for {EMAIL}." in out.getvalue()
        assert set(PatientStory.objects.all()) == {patient["other"], patient["walk_in"]}
        assert ConsentEvent.objects.filter(kind=ConsentEvent.Kind.ERASED).count() == 3

    def test_command_fails_clearly_for_unknown_address(self, patient):
        with pytest.raises(CommandError, match="Nothing is held for nobody@patients.example") as e:
            call_command("spinecare_subject_erase", "--email", "nobody@patients.example")
        assert e.value.returncode != 0
        assert PatientStory.objects.count() == 5
