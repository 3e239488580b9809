"""The renditions every page shows beside its content cost one query when Django's cache is
empty, none when it is warm."""

import pytest
from django.core.cache import cache
from wagtail.images import get_image_model
from wagtail_factories import ImageFactory

from wagtail_spinecare.renditions import ICON_SPECS, LOGO_SPEC, PORTRAIT_SPEC, load_renditions

pytestmark = pytest.mark.django_db


def fresh(images):
    return [get_image_model().objects.get(pk=image.pk) for image in images]


def test_several_images_cost_one_query_then_none(django_assert_num_queries):
    logo, icon, photo = ImageFactory(), ImageFactory(), ImageFactory()
    wanted = [(LOGO_SPEC,), ICON_SPECS, (PORTRAIT_SPEC,)]
    for image, specs in zip((logo, icon, photo), wanted, strict=True):
        image.get_renditions(*specs)  # made once, as by an earlier page
    cache.clear()
    images = fresh([logo, icon, photo])
    with django_assert_num_queries(1):
        load_renditions([(None, [LOGO_SPEC]), *zip(images, wanted, strict=True)])
        for image, specs in zip(images, wanted, strict=True):
            assert len(image.get_renditions(*specs)) == len(specs)
    # What was found is now in the cache: another request's images cost nothing.
    images = fresh([logo, icon, photo])
    with django_assert_num_queries(0):
        load_renditions(list(zip(images, wanted, strict=True)))
        for image, specs in zip(images, wanted, strict=True):
            image.get_renditions(*specs)


def test_a_rendition_not_made_yet_is_made(django_assert_num_queries):
    (image,) = fresh([ImageFactory()])
    load_renditions([(image, [PORTRAIT_SPEC])])
    rendition = image.get_renditions(PORTRAIT_SPEC)[PORTRAIT_SPEC]
    assert rendition.pk and rendition.filter_spec == PORTRAIT_SPEC


def test_the_same_image_twice_is_loaded_once(django_assert_num_queries):
    image = ImageFactory()
    image.get_renditions(LOGO_SPEC, *ICON_SPECS)
    cache.clear()
    logo, icon = fresh([image, image])
    with django_assert_num_queries(1):
        load_renditions([(logo, [LOGO_SPEC]), (icon, ICON_SPECS)])
        logo.get_renditions(LOGO_SPEC)
        icon.get_renditions(*ICON_SPECS)
