"""What the installed package must carry: migrations for every model, templates, static, locale."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template.loader import get_template

import wagtail_spinecare
from wagtail_spinecare import blocks, models

PAGE_TYPES = [models.ConditionIndexPage, models.ConditionPage]
BLOCKS_WITH_TEMPLATES = [
    blocks.SectionBlock,
    blocks.FAQBlock,
    blocks.BookingCTABlock,
    blocks.CareCardBlock,
    blocks.DoDontBlock,
    blocks.RecoveryTimelineBlock,
    blocks.FigureBlock,
]


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "wagtail_spinecare", check=True, dry_run=True, verbosity=0)


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=lambda p: p.__name__)
def test_page_templates_are_namespaced_and_present(page_type):
    assert page_type.template.startswith("wagtail_spinecare/")
    get_template(page_type.template)


@pytest.mark.parametrize("block_class", BLOCKS_WITH_TEMPLATES, ids=lambda b: b.__name__)
def test_block_templates_are_namespaced_and_present(block_class):
    template = block_class._meta_class.template
    assert template.startswith("wagtail_spinecare/blocks/")
    get_template(template)


def test_stylesheet_is_shipped():
    assert finders.find("wagtail_spinecare/css/spinecare.css")


def test_locale_is_shipped():
    locale = Path(wagtail_spinecare.__file__).parent / "locale"
    assert list(locale.glob("*/LC_MESSAGES/django.po"))
