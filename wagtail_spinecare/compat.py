"""What differs between the Wagtail versions the package supports (7.4 LTS and 8.0), and the
few Wagtail internals it relies on for want of a public API.

Everything version-dependent or private is named here once, with why, so that the rest of the
package reads the same on every version. ``tests/test_compat.py`` fails when Wagtail changes
one of these.
"""

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.db.models import Q
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction
from wagtail.permission_policies import ModelPermissionPolicy

try:  # Wagtail 8.0: one registry of permission policies, consulted by the admin's views.
    from wagtail.permissions import policy_registry
    from wagtail.permissions import register_permission_policy as _register_with_wagtail
except ImportError:  # Wagtail 7.4: each app keeps its own policy.
    policy_registry = None
    _register_with_wagtail = None

#: Whether this Wagtail looks permission policies up in ``wagtail.permissions.policy_registry``.
HAS_POLICY_REGISTRY = policy_registry is not None

#: The page model Wagtail's pages are stored as. Wagtail 8.0 lets a project swap it
#: (``WAGTAIL_PAGE_MODEL``); 7.4 has no such setting. The package's page types inherit
#: Wagtail's own ``Page``, so a swapped model is refused by system check E003.
DEFAULT_PAGE_MODEL = "wagtailcore.Page"

#: Policies registered on a Wagtail without the registry (7.4), for ``permission_policy_for``.
_policies = {}


def page_model_label() -> str:
    """The ``app_label.Model`` of the page model, for migrations' page pointers."""
    return getattr(settings, "WAGTAIL_PAGE_MODEL", DEFAULT_PAGE_MODEL)


def register_permission_policy(model, policy) -> None:
    """Make ``policy`` the one Wagtail's admin, and ``permission_policy_for``, use for
    ``model``. 7.4 has no registry: there only ``permission_policy_for`` knows it."""
    if HAS_POLICY_REGISTRY:
        _register_with_wagtail(model, policy)
    _policies[model] = policy


def permission_policy_for(model):
    """The permission policy Wagtail applies to ``model``'s instances."""
    if HAS_POLICY_REGISTRY:
        return policy_registry.get_by_type(model)
    # Imported here: these modules look up the image and document models as they load,
    # which Django allows only once the app registry is ready.
    if issubclass(model, get_image_model()):
        from wagtail.images.permissions import permission_policy

        return permission_policy
    if issubclass(model, get_document_model()):
        from wagtail.documents.permissions import permission_policy

        return permission_policy
    if model in _policies:
        return _policies[model]
    return ModelPermissionPolicy(model)


class CustomCodenames:
    """A mixin for a Wagtail permission policy whose actions are not all Django's
    ``<action>_<model>`` codenames: override ``permission_codename``.

    Wagtail has no public hook for this. 8.0 builds every codename in
    ``_get_permission_codename``; 7.4 calls ``get_permission_codename`` directly from
    ``_get_permission_codenames`` and ``_get_permission_name``, so all three are overridden.
    """

    def permission_codename(self, action) -> str:
        return get_permission_codename(action, self.model._meta)

    def _get_permission_codename(self, action):
        return self.permission_codename(action)

    def _get_permission_codenames(self, actions):
        return {self.permission_codename(action) for action in actions}

    def _get_permission_name(self, action):
        return f"{self.app_label}.{self.permission_codename(action)}"


def set_request_site(request, site) -> None:
    """Make ``Site.find_for_request(request)`` answer ``site``, as for a clinic's preview.

    Wagtail caches the site it finds on the request as ``_wagtail_site`` and offers no setter.
    """
    request._wagtail_site = site


def set_cached_parent(page, parent) -> None:
    """Tell ``page`` its parent, so ``page.get_parent()`` needs no query (treebeard keeps
    it as ``_cached_parent_obj``; routing has just loaded the parent)."""
    page._cached_parent_obj = parent


def cached_parent(page):
    """The parent ``page`` was given by routing or ``get_parent()``, or None."""
    return page.__dict__.get("_cached_parent_obj")


def view_restrictions_on(paths):
    """The view restrictions on the pages at ``paths``, in one query.

    Wagtail's ``Page.get_view_restrictions`` applies the same rule (an alias has no
    restrictions of its own: its source page's apply) to a page and its ancestors in two
    queries or more; pages of this package call this with their own and their ancestors'
    paths, and a clinic's page adds its shared page's.
    """
    pages = Page.objects.filter(path__in=paths)
    return PageViewRestriction.objects.filter(
        Q(page__in=pages.filter(alias_of__isnull=True))
        | Q(page__in=pages.filter(alias_of__isnull=False).values("alias_of_id"))
    )


def path_and_ancestors(page) -> list[str]:
    """The tree paths of ``page`` and of each page above it, without a query."""
    steps = Page.steplen
    return [page.path[:end] for end in range(steps, len(page.path) + 1, steps)]
