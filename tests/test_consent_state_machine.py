"""Random sequences of consent and publishing actions never leak a patient's story.

A hypothesis state machine drives the real package: it gives, edits, withdraws, expires,
re-gives and re-scopes consent, publishes, drafts and unpublishes pages that refer to the
stories, and renders those pages on two clinic sites: the HTML served by the Django test
client (web channel) and the API representation of the page and of each TestimonialsBlock
(structured data channel). Beside the database it keeps its own small model of the
consent rule (:class:`Oracle`), written from the rule's description in
``wagtail_spinecare/consent.py``, not from its queries.

After every step ``Testimonial.objects.publishable(site, channel)`` equals the model's
answer for both sites and both channels, and whatever the step rendered shows a story's
words if and only if the rule allows them for that site, channel and time and the live
page refers to the story: never an earlier wording, never the patient's email or phone,
their name, age and occupation only as far as the current consent allows, and in the
page's JSON-LD never at all. Other steps ask the rule about the past and the future and
ask ``why_hidden`` for its reason.

Each example runs inside a savepoint that is rolled back afterwards, so examples never
see each other's stories, consent records or page revisions.

The default run tries 200 examples; ``SPINECARE_SLOW=1 pytest -m slow`` tries 10,000.
"""

import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from wagtail.documents import get_document_model
from wagtail.search.backends import get_search_backend

from wagtail_spinecare import blocks as spinecare_blocks
from wagtail_spinecare import consent, consent_actions
from wagtail_spinecare import models as tm
from wagtail_spinecare.factories import ConditionPageFactory, section_data, stream_item
from wagtail_spinecare.models import ConditionPage

SITES = ("uk", "us")
HOSTS = {"uk": "uk.example", "us": "us.example"}
PAGE_PATH = "/stories/"
WEB = tm.Channel.WEB.value
STRUCTURED_DATA = tm.Channel.STRUCTURED_DATA.value
RENDERED_CHANNELS = (WEB, STRUCTURED_DATA)
ALL_CHANNELS = tuple(tm.Channel.values)
DETAILS = ("name", "age", "occupation", "photo")
NAMES_SHOWING_FIRST_NAME = {tm.Naming.FULL_NAME, tm.Naming.FIRST_NAME_INITIAL}

EXAMPLES = 200
SLOW_EXAMPLES = 10_000
STEPS = 12


# --- Unique, alphanumeric markers: a plain substring search finds exactly one thing ------


def wording_marker(story: int, version: int) -> str:
    return f"kx{story}q{version:02d}kx"


def wording(story: int, version: int) -> str:
    return f"Story {wording_marker(story, version)} in my own words"


def first_name(story: int) -> str:
    return f"Firstkx{story}"


def last_name(story: int) -> str:
    return f"Lastkx{story}"


def occupation(story: int) -> str:
    return f"Jobkx{story}"


def email(story: int) -> str:
    return f"patient{story}@mailkx.example"


def phone(story: int) -> str:
    return f"07700 9{story}4 321"


def section_heading(number: int) -> str:
    return f"Sectionkx{number}"


def same_words(a: str, b: str) -> bool:
    """The rule's notion of an unchanged quote: whitespace differences do not count."""
    return a.split() == b.split()


# --- The model the machine checks the package against --------------------------------------


@dataclass
class Record:
    """What the patient agreed to in one act of consent, as the test recorded it."""

    pk: int
    story: int
    given_at: datetime
    expires_on: date
    approved: str
    sites: frozenset
    channels: frozenset
    details: frozenset
    withdrawn_at: datetime | None = None


@dataclass
class Story:
    index: int
    instance: tm.Testimonial
    naming: str
    age_band: str
    has_occupation: bool
    condition_site: str | None
    claims_outcome: bool
    material_connection: str
    text: str = ""
    version: int = 0
    versions: set = field(default_factory=set)
    texts: list = field(default_factory=list)

    def set_text(self, text: str, version: int):
        self.text, self.version = text, version
        self.versions.add(version)
        if text not in self.texts:
            self.texts.append(text)


@dataclass(frozen=True)
class StoriesBlock:
    """A TestimonialsBlock on the page: chosen stories (by index) and 'latest' count."""

    chosen: tuple
    latest: int


class Oracle:
    """The consent rule as ``consent.py`` describes it, over the test's own records.

    A story may be shown on a site, through a channel, at a time, when its current record
    (the newest one, by the order records were entered, among those given by then) was not
    withdrawn by then, has not expired, approved the story's present words and covers the
    site and the channel.
    """

    def __init__(self):
        self.stories: list[Story] = []
        self.records: list[Record] = []
        self.expiry_logged: set[int] = set()

    def current(self, story: Story, at: datetime) -> Record | None:
        given = [r for r in self.records if r.story == story.index and r.given_at <= at]
        return max(given, key=lambda r: r.pk) if given else None

    def latest_record(self, story: Story) -> Record | None:
        records = [r for r in self.records if r.story == story.index]
        return max(records, key=lambda r: r.pk) if records else None

    def why_hidden(self, story: Story, site: str, channel: str, at: datetime) -> str | None:
        record = self.current(story, at)
        if record is None:
            return "no consent has been recorded"
        if record.withdrawn_at is not None and record.withdrawn_at <= at:
            return "the patient withdrew consent"
        if record.expires_on < timezone.localdate(at):
            return "consent has expired"
        if not same_words(record.approved, story.text):
            return "the quote was edited after the patient approved it"
        if site not in record.sites:
            return "consent does not cover this clinic's site"
        if channel not in record.channels:
            return f"consent does not cover this channel ({tm.Channel(channel).label})"
        return None

    def allowed(self, story: Story, site: str, channel: str, at: datetime) -> bool:
        return self.why_hidden(story, site, channel, at) is None

    def publishable(self, site: str | None, channel: str, at: datetime) -> set[int]:
        sites = SITES if site is None else (site,)
        return {
            story.instance.pk
            for story in self.stories
            if any(self.allowed(story, s, channel, at) for s in sites)
        }

    def shown_in_block(self, block: StoriesBlock, site: str, channel: str, at: datetime):
        """The story indexes a TestimonialsBlock shows, in order: chosen, then latest."""
        allowed = {s.index for s in self.stories if self.allowed(s, site, channel, at)}
        shown = [index for index in block.chosen if index in allowed]
        if block.latest:
            newest_first = sorted(
                (
                    s
                    for s in self.stories
                    if s.index in allowed and s.condition_site == site and s.index not in shown
                ),
                key=lambda s: (s.instance.created_at, s.instance.pk),
                reverse=True,
            )
            shown += [s.index for s in newest_first[: block.latest]]
        return shown

    def display_name(self, story: Story, show_name: bool) -> str:
        first, last = first_name(story.index), last_name(story.index)
        if not show_name or story.naming == tm.Naming.ANONYMOUS:
            return "A patient"
        if story.naming == tm.Naming.FULL_NAME:
            return f"{first} {last}"
        if story.naming == tm.Naming.INITIALS:
            return f"{first[0]}. {last[0]}."
        return f"{first} {last[0]}."

    def api_story(self, story: Story, site: str, at: datetime, clinic) -> dict:
        """What the API may say about a story it shows: only what consent allows."""
        details = self.current(story, at).details
        connection = ""
        if story.material_connection:
            connection = str(tm.MaterialConnection(story.material_connection).label)
        return {
            "quote": story.text,
            "name": self.display_name(story, "name" in details),
            "age": str(tm.AgeBand(story.age_band).label)
            if "age" in details and story.age_band
            else "",
            "occupation": occupation(story.index)
            if "occupation" in details and story.has_occupation
            else "",
            "connection": connection,
            "typicality": clinic.typicality_statement if story.claims_outcome else "",
            # The stories here have no photo.
            "photo": None,
        }


# --- Strategies -----------------------------------------------------------------------------

# Consent on file when an example starts, mostly broad, so stories show from the first step.
consent_on_file = st.fixed_dictionaries(
    {
        "sites": st.sampled_from([{"uk", "us"}, {"uk", "us"}, {"uk"}, {"us"}]).map(frozenset),
        "channels": st.sampled_from(
            [
                {WEB, STRUCTURED_DATA},
                {WEB, STRUCTURED_DATA},
                {WEB},
                {STRUCTURED_DATA},
                {WEB, STRUCTURED_DATA, "social"},
                {"print"},
            ]
        ).map(frozenset),
        "details": st.frozensets(st.sampled_from(DETAILS)),
    }
)
story_specs = st.fixed_dictionaries(
    {
        "home": st.sampled_from(SITES),
        "naming": st.sampled_from(tm.Naming.values),
        "age_band": st.sampled_from(["", *tm.AgeBand.values]),
        "has_occupation": st.booleans(),
        "condition_site": st.sampled_from([None, *SITES]),
        "claims_outcome": st.booleans(),
        "material_connection": st.sampled_from(["", "free_treatment", "staff"]),
        # three stories in four start with consent; later steps can take it away
        "consent": st.sampled_from([False, True, True, True]).flatmap(
            lambda on_file: consent_on_file if on_file else st.none()
        ),
    }
)
story_numbers = st.integers(min_value=0, max_value=2)  # taken modulo the number of stories
site_keys = st.sampled_from(SITES)
site_sets = st.frozensets(site_keys)  # may be empty: consent must then be refused
channel_sets = st.frozensets(st.sampled_from(ALL_CHANNELS))
detail_sets = st.frozensets(st.sampled_from(DETAILS))


def stories_blocks(min_chosen=0):
    """One or two TestimonialsBlocks: chosen stories, then the page condition's latest."""
    return st.lists(
        st.builds(
            StoriesBlock,
            chosen=st.lists(story_numbers, min_size=min_chosen, max_size=3).map(tuple),
            latest=st.integers(min_value=0, max_value=2),
        ).filter(lambda block: block.chosen or block.latest),  # an editor cannot save less
        min_size=1,
        max_size=2,
    )


@dataclass
class World:
    """What every example shares and never changes: two clinics, each with a stories page."""

    client: object
    sites: dict
    clinics: dict
    page_ids: dict
    evidence: object


class ConsentMachine(RuleBasedStateMachine):
    examples_run = 0

    def __init__(self, world: World):
        super().__init__()
        self.world = world
        self.model = Oracle()
        self.live: dict[str, list[StoriesBlock] | None] = {site: [] for site in SITES}
        self.draft: dict[str, list[StoriesBlock] | None] = dict.fromkeys(SITES)
        self.ready = False
        # Consent is given, withdrawn and expired on a clock of its own that stays just
        # before t0, so "now" for the rule is t0 whatever the step; pages are served at the
        # real time, which is later still.
        self.t0 = timezone.now()
        self.clock = self.t0 - timedelta(minutes=10)
        self.rule_queries = {}
        self.page_cache = None
        cache.clear()
        # Everything an example does happens in a savepoint that teardown() rolls back.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        if self.page_cache is not None:
            self.page_cache.disable()
        cache.clear()
        if self.ready:
            type(self).examples_run += 1

    # --- helpers ---------------------------------------------------------------------------

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        assert self.clock < self.t0
        return self.clock

    def story(self, number: int) -> Story:
        return self.model.stories[number % len(self.model.stories)]

    def page(self, site: str) -> ConditionPage:
        return ConditionPage.objects.get(pk=self.world.page_ids[site])

    def counts(self):
        return tm.ConsentRecord.objects.count(), tm.ConsentEvent.objects.count()

    def give(self, story, sites, channels, details, expires_on, now, given_at=None):
        """consent_actions.give(), expecting a refusal exactly when the consent is incomplete."""
        expected_errors = set()
        if not sites:
            expected_errors.add("sites")
        if not channels:
            expected_errors.add("channels")
        if expires_on <= timezone.localdate(now):
            expected_errors.add("expires_on")
        before = self.counts()
        try:
            record = consent_actions.give(
                story.instance,
                sites=[self.world.sites[site] for site in sorted(sites)],
                channels=sorted(channels),
                details=sorted(details),
                expires_on=expires_on,
                evidence=self.world.evidence,
                method=tm.ConsentMethod.SIGNED_FORM,
                wording="I agree to the clinic publishing my story as written.",
                wording_version="2026-01",
                lawful_basis=tm.LawfulBasis.UK_GDPR_EXPLICIT,
                given_at=given_at,
                at=now,
            )
        except ValidationError as error:
            assert set(error.message_dict) == expected_errors
            assert self.counts() == before, "a refused consent saved something"
            return
        assert not expected_errors, f"consent accepted without {expected_errors}"
        self.model.records.append(
            Record(
                pk=record.pk,
                story=story.index,
                given_at=given_at or now,
                expires_on=expires_on,
                approved=story.text,
                sites=frozenset(sites),
                channels=frozenset(channels),
                details=frozenset(details),
            )
        )

    def page_body(self, blocks: list[StoriesBlock]) -> list[dict]:
        return [
            stream_item(
                "section",
                section_data(
                    section_heading(number),
                    "success_stories",
                    [
                        stream_item(
                            "testimonials",
                            {
                                "heading": "What our patients say",
                                "testimonials": [
                                    self.story(index).instance.pk for index in block.chosen
                                ],
                                "latest_count": block.latest,
                            },
                        )
                    ],
                ),
            )
            for number, block in enumerate(blocks)
        ]

    def normalised(self, blocks: list[StoriesBlock]) -> list[StoriesBlock]:
        """Story numbers as indexes into this example's stories."""
        count = len(self.model.stories)
        return [StoriesBlock(tuple(i % count for i in b.chosen), b.latest) for b in blocks]

    def expected_blocks(self, site: str, channel: str, at: datetime) -> list[list[int]]:
        blocks = self.live[site] or []
        return [self.model.shown_in_block(block, site, channel, at) for block in blocks]

    def check_story_text(self, text: str, shown: list[int], channel_label: str, site: str):
        """Each story's words appear once per showing, in their present wording only."""
        for story in self.model.stories:
            times = shown.count(story.index)
            for version in story.versions:
                expected = times if version == story.version else 0
                found = text.count(wording_marker(story.index, version))
                assert found == expected, (
                    f"{channel_label} on {site}: wording v{version} of story {story.index} "
                    f"appears {found} times, the rule allows {expected}"
                )
            if times:
                assert story.text in text
            assert email(story.index) not in text, "a patient's email was shown"
            assert phone(story.index) not in text, "a patient's phone was shown"

    def check_details_in_html(self, html: str, shown: list[int], site: str, at: datetime):
        for story in self.model.stories:
            times = shown.count(story.index)
            details = self.model.current(story, at).details if times else frozenset()
            show_name = "name" in details
            expected_first = times if show_name and story.naming in NAMES_SHOWING_FIRST_NAME else 0
            expected_last = times if show_name and story.naming == tm.Naming.FULL_NAME else 0
            expected_job = times if "occupation" in details and story.has_occupation else 0
            assert html.count(first_name(story.index)) == expected_first, site
            assert html.count(last_name(story.index)) == expected_last, site
            assert html.count(occupation(story.index)) == expected_job, site

    def fetch_html(self, site: str) -> tuple[str, list[str]]:
        """The served page's visible HTML and, apart, any JSON-LD it carries."""
        response = self.world.client.get(PAGE_PATH, HTTP_HOST=HOSTS[site])
        expected_status = 404 if self.live[site] is None else 200
        assert response.status_code == expected_status
        soup = BeautifulSoup(response.content.decode(), "html.parser")
        json_ld = [
            script.extract().get_text()
            for script in soup.find_all("script", type="application/ld+json")
        ]
        return str(soup), json_ld

    def api_representation(self, site: str):
        page = self.page(site)
        if not page.live:
            return None
        request = RequestFactory().get(PAGE_PATH, HTTP_HOST=HOSTS[site])
        return page.body.stream_block.get_api_representation(
            page.body, {"request": request, "page": page}
        )

    # --- setting up an example ---------------------------------------------------------------

    @initialize(
        specs=st.lists(story_specs, min_size=2, max_size=3),
        uk_page=stories_blocks(min_chosen=2),
        us_page=stories_blocks(min_chosen=2),
        page_cache=st.booleans(),
    )
    def start(self, specs, uk_page, us_page, page_cache):
        """Two or three stories, some with consent, and both pages showing a selection.

        With ``page_cache`` whole pages are served from the optional page cache, which must
        never serve a story after a change that hides it.
        """
        if page_cache:
            self.page_cache = override_settings(WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT=600)
            self.page_cache.enable()
        # Nothing left over from an earlier example.
        assert not tm.Testimonial.objects.exists()
        assert self.counts() == (0, 0)
        for site in SITES:
            page = self.page(site)
            assert page.live and not list(page.body), "a page kept an earlier example's body"
        for index, spec in enumerate(specs):
            instance = tm.Testimonial.objects.create(
                site=self.world.sites[spec["home"]],
                quote=wording(index, 0),
                naming=spec["naming"],
                patient_name=f"{first_name(index)} {last_name(index)}",
                patient_email=email(index),
                patient_phone=phone(index),
                age_band=spec["age_band"],
                occupation=occupation(index) if spec["has_occupation"] else "",
                condition_page_id=self.world.page_ids[spec["condition_site"]]
                if spec["condition_site"]
                else None,
                claims_outcome=spec["claims_outcome"],
                material_connection=spec["material_connection"],
            )
            story = Story(
                index=index,
                instance=instance,
                naming=spec["naming"],
                age_band=spec["age_band"],
                has_occupation=spec["has_occupation"],
                condition_site=spec["condition_site"],
                claims_outcome=spec["claims_outcome"],
                material_connection=spec["material_connection"],
            )
            story.set_text(wording(index, 0), 0)
            self.model.stories.append(story)
        self.ready = True
        for story, spec in zip(self.model.stories, specs, strict=True):
            if spec["consent"]:
                now = self.tick()
                expires_on = timezone.localdate(now) + timedelta(days=365)
                self.give(story, **spec["consent"], expires_on=expires_on, now=now)
        for site, blocks in (("uk", uk_page), ("us", us_page)):
            # Content published before the example began, written straight into the live
            # page: publishing a revision here would double the cost of an example.
            blocks = self.normalised(blocks)
            page = self.page(site)
            page.body = self.page_body(blocks)
            ConditionPage.objects.filter(pk=page.pk).update(body=page.body)
            self.live[site] = blocks

    # --- consent -----------------------------------------------------------------------------

    @rule(
        story=story_numbers,
        sites=site_sets,
        channels=channel_sets,
        details=detail_sets,
        expiry=st.sampled_from(["tomorrow", "next_year", "today"]),
    )
    def give_consent(self, story, sites, channels, details, expiry):
        """Record consent now; incomplete consent (no site, no channel, expiry today) is refused."""
        now = self.tick()
        days = {"today": 0, "tomorrow": 1, "next_year": 365}[expiry]
        expires_on = timezone.localdate(now) + timedelta(days=days)
        self.give(self.story(story), sites, channels, details, expires_on, now)

    @rule(
        story=story_numbers,
        days_ago=st.sampled_from([3, 40, 400]),
        lasting=st.sampled_from([1, 30, 365]),
        sites=st.frozensets(site_keys, min_size=1),
        channels=st.frozensets(st.sampled_from(ALL_CHANNELS), min_size=1),
        details=detail_sets,
    )
    def give_consent_on_paper_in_the_past(self, story, days_ago, lasting, sites, channels, details):
        """A paper form entered late: it may already have expired (how stories expire here).

        It is entered after any existing record, so it supersedes them.
        """
        given_at = self.tick() - timedelta(days=days_ago)
        expires_on = timezone.localdate(given_at) + timedelta(days=lasting)
        self.give(self.story(story), sites, channels, details, expires_on, given_at, given_at)

    @precondition(
        lambda self: any(
            (r := self.model.latest_record(s)) is not None and r.withdrawn_at is not None
            for s in self.model.stories
        )
    )
    @rule(data=st.data(), details=detail_sets)
    def re_consent_after_withdrawal(self, data, details):
        withdrawn = [
            s
            for s in self.model.stories
            if (r := self.model.latest_record(s)) is not None and r.withdrawn_at is not None
        ]
        story = data.draw(st.sampled_from(withdrawn), label="withdrawn story")
        previous = self.model.latest_record(story)
        now = self.tick()
        expires_on = timezone.localdate(now) + timedelta(days=365)
        self.give(story, previous.sites, previous.channels, details, expires_on, now)

    @precondition(lambda self: bool(self.model.records))
    @rule(
        data=st.data(),
        flip=st.frozensets(st.sampled_from(SITES + ALL_CHANNELS), min_size=1),
    )
    def change_scope(self, data, flip):
        """New consent like the current one, with some sites and channels added or removed."""
        consented = [s for s in self.model.stories if self.model.latest_record(s) is not None]
        story = data.draw(st.sampled_from(consented), label="story with consent")
        previous = self.model.latest_record(story)
        sites = previous.sites.symmetric_difference(flip & set(SITES))
        channels = previous.channels.symmetric_difference(flip & set(ALL_CHANNELS))
        now = self.tick()
        expires_on = max(previous.expires_on, timezone.localdate(now) + timedelta(days=1))
        self.give(story, sites, channels, previous.details, expires_on, now)

    @rule(
        story=story_numbers,
        kind=st.sampled_from(["new", "revert", "whitespace"]),
        approved_again=st.booleans(),
    )
    def edit_quote(self, story, kind, approved_again):
        """New words close the gate; going back to approved words or respacing them does not.

        With ``approved_again`` the patient then approves the new words, with the scope of
        their last consent: the page must show the new words, never the old ones.
        """
        story = self.story(story)
        earlier = [text for text in story.texts if text != story.text]
        if kind == "whitespace":
            words = story.text.split()
            text = "  ".join(words) if " ".join(words) == story.text else " ".join(words)
            version = story.version
        elif kind == "revert" and earlier:
            text = earlier[-1]
            version = next(v for v in story.versions if wording_marker(story.index, v) in text)
        else:
            version = max(story.versions) + 1
            text = wording(story.index, version)
        story.instance.quote = text
        story.instance.save()
        story.set_text(text, version)
        previous = self.model.latest_record(story)
        if approved_again and previous is not None:
            now = self.tick()
            expires_on = max(previous.expires_on, timezone.localdate(now) + timedelta(days=1))
            self.give(story, previous.sites, previous.channels, previous.details, expires_on, now)

    @rule(story=story_numbers, twice=st.booleans())
    def withdraw(self, story, twice):
        story = self.story(story)
        now = self.tick()
        active = [r for r in self.model.records if r.story == story.index and not r.withdrawn_at]
        events = tm.ConsentEvent.objects.count()
        assert consent_actions.withdraw(story.instance, channel="email", at=now) is bool(active)
        for record in active:
            record.withdrawn_at = now
        assert tm.ConsentEvent.objects.count() == events + (1 if active else 0)
        if twice:
            assert (
                consent_actions.withdraw(story.instance, channel="phone", at=self.tick()) is False
            )
            assert tm.ConsentEvent.objects.count() == events + (1 if active else 0)

    @rule()
    def expire(self):
        """The daily expiry job logs each expired current record once and shows nothing new."""
        now = self.tick()
        today = timezone.localdate(now)
        due = set()
        for story in self.model.stories:
            record = self.model.latest_record(story)
            if (
                record is not None
                and record.withdrawn_at is None
                and record.expires_on < today
                and record.pk not in self.model.expiry_logged
            ):
                due.add(story.instance.pk)
                self.model.expiry_logged.add(record.pk)
        done = consent_actions.expire(at=now)
        assert sorted(t.pk for t in done) == sorted(due)
        expired_events = tm.ConsentEvent.objects.filter(kind=tm.ConsentEvent.Kind.EXPIRED)
        assert expired_events.count() == len(self.model.expiry_logged)

    # --- publishing ----------------------------------------------------------------------------

    @rule(
        site=site_keys,
        blocks=stories_blocks(),
        action=st.sampled_from(["publish", "publish", "save draft", "unpublish"]),
    )
    def publish_page(self, site, blocks, action):
        """Publish a new selection of stories, save it as a draft only, or unpublish."""
        page = self.page(site)
        if action == "unpublish":
            if self.live[site] is not None:
                page.unpublish()
            self.live[site] = None
            return
        blocks = self.normalised(blocks)
        page.body = self.page_body(blocks)
        revision = page.save_revision()
        if action == "publish":
            revision.publish()
            self.live[site], self.draft[site] = blocks, None
        else:
            self.draft[site] = blocks

    @precondition(lambda self: any(draft is not None for draft in self.draft.values()))
    @rule(data=st.data())
    def publish_draft(self, data):
        site = data.draw(st.sampled_from([s for s in SITES if self.draft[s] is not None]))
        self.page(site).get_latest_revision().publish()
        self.live[site], self.draft[site] = self.draft[site], None

    # --- outputs -------------------------------------------------------------------------------

    @rule(site=site_keys)
    def render_page_html(self, site):
        """The page as patients get it: web channel, for the site the request is for."""
        now = timezone.now()
        html, json_ld = self.fetch_html(site)
        blocks = self.expected_blocks(site, WEB, now)
        shown = [index for block in blocks for index in block]
        self.check_story_text(html, shown, "HTML", site)
        self.check_details_in_html(html, shown, site, now)
        for number in range(2):
            # a section whose stories are all hidden is left out, heading and all
            expected = number < len(blocks) and bool(blocks[number])
            assert (section_heading(number) in html) is expected
        self.check_json_ld(site, json_ld)

    @rule(site=site_keys)
    def render_api(self, site):
        """The API representation: structured data channel, for the request's site."""
        now = timezone.now()
        data = self.api_representation(site)
        if data is None:
            assert self.live[site] is None
            return
        expected = self.expected_blocks(site, STRUCTURED_DATA, now)
        got = [
            child["value"]["testimonials"]
            for section in data
            for child in section["value"]["content"]
            if child["type"] == "testimonials"
        ]
        clinic = self.world.clinics[site]
        # A block that shows no story is left out of the API, as it is of the page.
        assert got == [
            [self.model.api_story(self.story(i), site, now, clinic) for i in block]
            for block in expected
            if block
        ]
        shown = [index for block in expected for index in block]
        self.check_story_text(json.dumps(data), shown, "API", site)

    @rule(site=site_keys)
    def render_structured_data(self, site):
        """Hook for structured data: what search engines and apps get about the stories.

        The structured data channel reaches the outside only through each
        TestimonialsBlock's API representation, checked here block by block. The page's
        JSON-LD leaves stories out altogether (checked with the HTML, by
        :meth:`check_json_ld`); should it ever carry consented stories, check them here
        against ``self.expected_blocks(site, STRUCTURED_DATA, now)``.
        """
        now = timezone.now()
        page = self.page(site)
        if not page.live:
            assert self.live[site] is None
            return
        context = {"request": RequestFactory().get(PAGE_PATH, HTTP_HOST=HOSTS[site]), "page": page}
        got = [
            # None: the block shows no story, and is left out of the API.
            (child.block.get_api_representation(child.value, context) or {"testimonials": []})[
                "testimonials"
            ]
            for section in page.body
            for child in section.value["content"]
            if isinstance(child.block, spinecare_blocks.TestimonialsBlock)
        ]
        expected = self.expected_blocks(site, STRUCTURED_DATA, now)
        assert [[story["quote"] for story in block] for block in got] == [
            [self.story(index).text for index in block] for block in expected
        ]
        shown = [index for block in expected for index in block]
        self.check_story_text(json.dumps(got), shown, "Structured data", site)

    def check_json_ld(self, site: str, json_ld: list[str]):
        """The page's JSON-LD never carries a story (see ``structured_data.py``).

        Patient stories are not reviews, so the graph leaves them out whatever the consent;
        that is stricter than the rule, which would allow those consented for structured data.
        """
        for text in json_ld:
            json.loads(text)
            for story in self.model.stories:
                for marker in (
                    *(wording_marker(story.index, version) for version in story.versions),
                    first_name(story.index),
                    last_name(story.index),
                    occupation(story.index),
                    email(story.index),
                    phone(story.index),
                ):
                    assert marker not in text, f"JSON-LD on {site} carries story {story.index}"

    @rule(
        story=story_numbers,
        site=site_keys,
        channel=st.sampled_from(RENDERED_CHANNELS),
        days=st.sampled_from([-30, 0, 2]),
    )
    def explain_to_editors(self, story, site, channel, days):
        """why_hidden() gives the first failing condition, or None exactly when shown."""
        story = self.story(story)
        at = self.t0 + timedelta(days=days)
        site_obj = self.world.sites[site]
        assert consent.why_hidden(story.instance, site_obj, channel, at) == self.model.why_hidden(
            story, site, channel, at
        )
        assert consent.may_show(story.instance, site_obj, channel, at) is self.model.allowed(
            story, site, channel, at
        )

    # --- the rule at other times -------------------------------------------------------------

    @rule(days=st.sampled_from([-30, 2, 400]))
    def look_back_and_ahead(self, days):
        """The rule at another time: before late paper records, after short or yearly expiry."""
        at = self.t0 + timedelta(days=days)
        self.check_rule(at)
        anywhere = tm.Testimonial.objects.publishable(None, WEB, at)
        assert list(anywhere.values_list("pk", flat=True).order_by("pk")) == sorted(
            self.model.publishable(None, WEB, at)
        )

    # --- after every step ------------------------------------------------------------------

    @precondition(lambda self: self.ready)
    @invariant()
    def the_rule_agrees_with_the_model(self):
        assert self.counts()[0] == len(self.model.records)
        self.check_rule(self.t0)

    def check_rule(self, at: datetime):
        for site in SITES:
            for channel in RENDERED_CHANNELS:
                key = (site, channel, at)
                if key not in self.rule_queries:
                    # Building the rule's query costs ten times running it: build it once
                    # per example and time, and run its SQL after every step.
                    queryset = tm.Testimonial.objects.publishable(
                        self.world.sites[site], channel, at
                    ).values_list("pk", flat=True)
                    self.rule_queries[key] = queryset.query.sql_with_params()
                with connection.cursor() as cursor:
                    cursor.execute(*self.rule_queries[key])
                    got = {pk for (pk,) in cursor.fetchall()}
                assert got == self.model.publishable(site, channel, at), key


@pytest.fixture
def world(uk_clinic, us_clinic, clinician, client):
    clinics = {"uk": uk_clinic, "us": us_clinic}
    page_ids = {}
    for key, (index, _site, _clinic) in clinics.items():
        page = ConditionPageFactory(
            parent=index, title="Patient stories", slug="stories", reviewed_by=clinician
        )
        page.save_revision().publish()
        page_ids[key] = page.pk
    evidence = get_document_model().objects.create(
        title="Signed consent form", file="consent/signed-form.txt"
    )
    return World(
        client=client,
        sites={key: site for key, (_index, site, _clinic) in clinics.items()},
        clinics={key: clinic for key, (_index, _site, clinic) in clinics.items()},
        page_ids=page_ids,
        evidence=evidence,
    )


def run_machine(world, max_examples):
    ConsentMachine.examples_run = 0
    run_state_machine_as_test(
        lambda: ConsentMachine(world),
        settings=settings(
            max_examples=max_examples,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,  # nothing written to the working tree; failures print a blob
            print_blob=True,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
                HealthCheck.filter_too_much,
            ],
        ),
    )
    print(f"{ConsentMachine.examples_run} examples of the consent state machine ran")
    assert ConsentMachine.examples_run >= max_examples


@pytest.mark.django_db
def test_stories_appear_only_where_consent_allows(world):
    run_machine(world, EXAMPLES)


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("SPINECARE_SLOW") != "1", reason="long run: set SPINECARE_SLOW=1"
)
@pytest.mark.django_db
def test_stories_appear_only_where_consent_allows_long_run(world):
    run_machine(world, SLOW_EXAMPLES)


@pytest.mark.django_db
def test_editing_a_consented_quote_takes_its_words_out_of_the_search_index(uk_clinic):
    """The search index only ever holds stories that may be shown somewhere now.

    Editing the quote closes the consent gate at once, so the old words must leave the
    index too (as they do on withdrawal), or a site search still finds the story by them.
    """
    _index, site, _clinic = uk_clinic
    story = tm.Testimonial.objects.create(
        site=site, quote="Back to gardening in six weeks", patient_name="Sarah Jones"
    )
    consent_actions.give(
        story,
        sites=[site],
        expires_on=timezone.localdate() + timedelta(days=365),
        evidence=get_document_model().objects.create(title="Form", file="consent/form.txt"),
        method=tm.ConsentMethod.SIGNED_FORM,
        wording="I agree to the clinic publishing my story as written.",
        wording_version="2026-01",
        lawful_basis=tm.LawfulBasis.UK_GDPR_EXPLICIT,
    )
    backend = get_search_backend()
    assert [found.pk for found in backend.search("gardening", tm.Testimonial)] == [story.pk]

    story.quote = "Back to gardening and golf in six weeks"
    story.save()

    assert not tm.Testimonial.objects.publishable().exists()
    assert list(backend.search("gardening", tm.Testimonial)) == []
