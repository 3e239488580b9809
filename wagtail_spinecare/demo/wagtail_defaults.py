"""What Wagtail's first migrations leave in a new project that the demo has no use for.

- The default site, ``localhost``, with its page "Welcome to your new Wagtail site!": the demo
  removes both while nobody has touched them, so that the address the development server
  prints shows a demo clinic instead.
- The image and document permissions of Wagtail's own *Editors* and *Moderators* groups on the
  Root collection, which reach every clinic's consent evidence and patients' photos: the demo
  moves them to its own collection, as ``spinecare_add_clinic`` asks of every such group.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import router
from django.db.models import QuerySet
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    Page,
    PageLogEntry,
    ReferenceIndex,
    Revision,
    Site,
)

from ..models import ClinicSettings

#: The site and page as Wagtail's first migration makes them.
WELCOME_HOSTNAME = "localhost"
WELCOME_PORT = 80
WELCOME_TITLE = "Welcome to your new Wagtail site!"
WELCOME_SLUG = "home"

#: The groups Wagtail's first migration makes.
WAGTAIL_GROUPS = ("Editors", "Moderators")


def untouched_welcome_site() -> Site | None:
    """Wagtail's default site, if it and its welcome page are still exactly as Wagtail's
    migrations made them.

    Anything anyone did makes them kept: another host name, port or site name; another title,
    slug or page type; a revision, a history entry or a lock; a child page; a link to the page
    from other content; or any record that deleting the site or the page would delete or
    change, except clinic settings nobody has filled in (Wagtail creates those on the first
    visit to the settings screen) and the page's search index entries.
    """
    site = (
        Site.objects.filter(hostname=WELCOME_HOSTNAME, port=WELCOME_PORT, is_default_site=True)
        .select_related("root_page")
        .first()
    )
    if site is None or site.site_name:
        return None
    page = site.root_page
    as_made = (
        page.content_type_id == ContentType.objects.get_for_model(Page).pk
        and page.title == WELCOME_TITLE
        and page.draft_title == WELCOME_TITLE
        and page.slug == WELCOME_SLUG
        and page.depth == 2
        and page.numchild == 0
        and page.live
        and not page.has_unpublished_changes
        and not page.locked
        and not page.seo_title
        and not page.search_description
    )
    if not as_made:
        return None
    if (
        Revision.objects.for_instance(page).exists()
        or PageLogEntry.objects.filter(page_id=page.pk).exists()
        or ReferenceIndex.get_references_to(page).exists()
        or Site.objects.filter(root_page=page).exclude(pk=site.pk).exists()
    ):
        return None
    return site if _nothing_else_goes_with(site, page) else None


def _nothing_else_goes_with(site: Site, page: Page) -> bool:
    """Whether deleting ``site`` and ``page`` would delete or change nothing else but blank
    clinic settings."""
    collector = Collector(using=router.db_for_write(Site))
    try:
        collector.collect([site])
        collector.collect([page])
    except (ProtectedError, RestrictedError):
        return False
    # A record that would be kept, with its link to the site or page set to null.
    if any(_any(found) for updates in collector.field_updates.values() for found in updates):
        return False
    found = [(query.model, query) for query in collector.fast_deletes]
    found += list(collector.data.items())
    for model, objects in found:
        if model is ClinicSettings:
            if not all(_blank(settings) for settings in objects):
                return False
        elif model._meta.app_label == "wagtailsearch":
            continue  # The search index, rebuilt from pages: nobody's work.
        elif any(obj not in (site, page) for obj in objects):
            return False
    return True


def _any(objects) -> bool:
    return objects.exists() if isinstance(objects, QuerySet) else bool(objects)


def _blank(settings: ClinicSettings) -> bool:
    """Whether ``settings`` hold only the values a new clinic's settings start with."""
    fresh = ClinicSettings(site_id=settings.site_id)
    return all(
        getattr(settings, field.attname) == getattr(fresh, field.attname)
        for field in ClinicSettings._meta.concrete_fields
        if not field.primary_key
    )


def remove_welcome_site() -> bool:
    """Delete Wagtail's default site and its welcome page if nobody has touched them."""
    site = untouched_welcome_site()
    if site is None:
        return False
    page = site.root_page
    site.delete()
    page.delete()
    return True


def make_default_if_none(site: Site) -> bool:
    """Make ``site`` the default site, which answers every host name no site has (such as
    127.0.0.1), unless there is one already."""
    if Site.objects.filter(is_default_site=True).exists():
        return False
    site.is_default_site = True
    site.save(update_fields=["is_default_site"])
    return True


def narrow_wagtail_groups(collection: Collection) -> list[str]:
    """Move the image and document permissions that Wagtail's own groups hold on the Root
    collection to ``collection``; the names of the groups changed."""
    media = [
        ContentType.objects.get_for_model(get_image_model()),
        ContentType.objects.get_for_model(get_document_model()),
    ]
    grants = GroupCollectionPermission.objects.filter(
        group__name__in=WAGTAIL_GROUPS,
        collection=Collection.get_first_root_node(),
        permission__content_type__in=media,
    ).select_related("group", "permission")
    moved = set()
    for grant in grants:
        GroupCollectionPermission.objects.get_or_create(
            group=grant.group, collection=collection, permission=grant.permission
        )
        grant.delete()
        moved.add(grant.group.name)
    return sorted(moved)
