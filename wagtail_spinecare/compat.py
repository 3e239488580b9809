"""What differs between the Wagtail versions the package supports (7.4 LTS and 8.0), and the
few Wagtail and Django internals it relies on for want of a public API.

Everything version-dependent or private is named here once, with why, so that the rest of the
package reads the same on every version. ``tests/test_compat.py`` fails when Wagtail or Django
changes one of these. The Django internals are those :class:`PreparedQuery` uses (the SQL
compiler's ``as_sql`` and the state it leaves for Django's own model iterable).
"""

import copy
import os
import pickle
import weakref
from datetime import UTC, date, datetime

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.db.models.query import ModelIterable
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
    return _restrictions_on(paths)


def any_view_restriction_on(paths, outer_paths=(), outer_trees=()) -> Exists:
    """Whether :func:`view_restrictions_on` finds any restriction on the pages at ``paths``,
    at ``outer_paths`` and at ``outer_trees`` and every page above those (fields of the query
    this is annotated on), to ask in a query that loads the page anyway."""
    # The paths are compared two queries down: in the pages' query, inside the restrictions'.
    outer = [OuterRef(OuterRef(name)) for name in outer_paths]
    above = Q()
    for name in outer_trees:
        tree = OuterRef(OuterRef(name))
        above |= Q(path=Substr(tree, 1, Length("path")))
    return Exists(_restrictions_on([*paths, *outer], above))


def _restrictions_on(paths, above=None):
    pages = Page.objects.filter(Q(path__in=paths) | above if above else Q(path__in=paths))
    return PageViewRestriction.objects.filter(
        Q(page__in=pages.filter(alias_of__isnull=True))
        | Q(page__in=pages.filter(alias_of__isnull=False).values("alias_of_id"))
    )


def path_and_ancestors(page) -> list[str]:
    """The tree paths of ``page`` and of each page above it, without a query."""
    steps = Page.steplen
    return [page.path[:end] for end in range(steps, len(page.path) + 1, steps)]


def counter_reader(cache, keys):
    """A function reading, in one round trip, the integers ``cache`` keeps at ``keys`` (the
    counters ``incr`` moves on): a list, None where a key is missing, other values as the
    cache reads them; or None for a cache this cannot read directly.

    Django's ``RedisCache`` keeps integers as they are, not pickled, so that Redis can
    increment them; read directly, with a connection of the reader's own, they cost a
    page-cache hit a third of what ``get_many`` does. Private: ``RedisCache._cache`` (its
    ``RedisCacheClient``) and that client's ``get_client``, for the connection settings.
    """
    if type(cache) is not RedisCache:  # a subclass may keep values otherwise
        return None
    # Imported here, as Django's RedisCache does: only projects that use Redis install it.
    from redis import ConnectionError as Dropped

    pool = cache._cache.get_client(None, write=False).connection_pool
    return _CounterReader(pool, [cache.make_and_validate_key(key) for key in keys], Dropped)


class _CounterReader:
    """``MGET`` on one connection, made with the cache's own settings, for one thread (the
    package finds its cache per thread). The Redis client would take a connection from its
    pool, check it for unread data and wrap the command in its retry policy every time, at
    about the cost of the round trip itself."""

    def __init__(self, pool, keys, dropped):
        self.pool, self.keys, self.dropped = pool, keys, dropped
        self.connection = self.pid = None

    def __call__(self) -> list:
        if self.pid != os.getpid():  # new, or in a process forked since (a server's worker)
            self.connection = self.pool.connection_class(**self.pool.connection_kwargs)
            self.command = self.connection.pack_command("MGET", *self.keys)
            self.pid = os.getpid()
        try:
            return self._read()
        except self.dropped:  # dropped since the last read (Redis restarted): once more
            return self._read()

    def _read(self) -> list:
        try:
            self.connection.send_packed_command(self.command, check_health=False)
            found = self.connection.read_response()
        except BaseException:
            self.connection.disconnect()  # nothing half-read is left for the next call
            raise
        return [_counter(value) for value in found]


def _counter(value):
    """``value`` as Django's ``RedisSerializer`` reads it back."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return pickle.loads(value)  # noqa: S301 # nosec B301: the cache's own, as Django reads it


class PreparedQuery:
    """A query compiled to SQL once per database, then run with other values.

    Django compiles a query set to SQL each time it is evaluated. For the few queries every
    page view makes, compiling costs several times what running them does; their SQL is the
    same each time but for a few values. ``build(*values)`` returns the query set for
    ``values``; its SQL, leaving the values out, must not depend on them. Each value must
    reach the SQL as one parameter, as the database backend adapts it: a string, integer,
    date or time compared to a field of its kind (``exact``, ``in``, ``lt``, ``gte`` ...),
    or a string that ``startswith`` matches and that holds nothing ``LIKE`` must escape. A
    value of another kind, or a string to escape, is asked with the query set as built.
    Model instances are made by Django's own model iterable, with ``select_related`` and
    annotations as the query set asks.

    Private Django API: the compiler's ``as_sql`` is run once, with stand-in values, and the
    state it leaves (``select``, ``klass_info``, ``annotation_col_map``, ``col_count``...)
    is given to a new compiler for each run, whose ``as_sql`` answers the kept SQL and whose
    ``get_converters`` answers the converters worked out for its connection the first time.
    """

    def __init__(self, build):
        self._build = build
        self._types = self._model = None
        self._compiled = {}  # database alias: _Compiled

    def __call__(self, *values) -> list:
        """The instances the query set for ``values`` finds, in one query."""
        types = tuple(type(value) for value in values)
        if self._types is None and all(kind in _KINDS for kind in types):
            self._types = types
        if types != self._types:
            return list(self._build(*values))  # not what the SQL was compiled for
        if self._model is None:
            self._model = self._build(*_markers(self._types, 0)).model
        using = router.db_for_read(self._model)
        compiled = self._compiled.get(using) or self._compile(using)
        params = compiled.params(values)
        if params is None:
            return list(self._build(*values))
        return compiled.run(params)

    def _compile(self, using):
        """The SQL for database ``using``."""
        first, second = (self._build(*_markers(self._types, n)) for n in (0, 1))
        compiled = self._compiled[using] = _Compiled(first, second, using, self._types)
        return compiled


class PreparedLookup:
    """Objects by a list of ids (``build(ids)``, a query set with ``__in``): a
    :class:`PreparedQuery` for each number of ids, up to :attr:`LONGEST` ids; more, or ids
    that are not integers, are asked with the query set as built. What a page finds in bulk
    (its images, treatments, testimonials) is a handful of ids."""

    LONGEST = 40

    def __init__(self, build):
        self._build = build
        self._queries = {}  # number of ids: PreparedQuery

    def __call__(self, ids) -> list:
        """The instances for ``ids`` (in any order, repeats allowed), in one query."""
        ids = set(ids)
        if not ids:
            return []
        if len(ids) > self.LONGEST or any(type(pk) is not int for pk in ids):
            return list(self._build(list(ids)))
        query = self._queries.get(len(ids))
        if query is None:
            query = self._queries[len(ids)] = PreparedQuery(lambda *values: self._build(values))
        return query(*sorted(ids))


#: The kinds of value a prepared query takes.
_KINDS = (str, int, datetime, date)


def _markers(types, n) -> list:
    """Stand-in values of ``types``, set ``n``: a query's SQL compiled with each set tells
    where each value goes. Small integers: Django leaves out of the SQL an integer out of
    its field's range. Times are aware where Django's are (``USE_TZ``)."""
    zone = UTC if settings.USE_TZ else None
    markers = []
    for index, kind in enumerate(types):
        step = 2 * index + n
        if kind is str:
            markers.append(f"Zq7m{index}v{n}Zq7")
        elif kind is int:
            markers.append(32_000 + step)
        elif kind is datetime:
            markers.append(datetime(2001, 2, 3, 4, 5, 6, 1_000 * (step + 1), tzinfo=zone))
        else:
            markers.append(date(2001, 3, 1 + step))
    return markers


def _adapted(value, connection):
    """``value`` as the backend passes it to the database (a date or time: as a string on
    SQLite, in the connection's time zone), as Django's date and time fields adapt it."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


class _Compiled:
    """One database's SQL for a :class:`PreparedQuery`, and where its values go in it."""

    def __init__(self, first, second, using, types):
        if first._prefetch_related_lookups or first._iterable_class is not ModelIterable:
            raise ValueError("Only a query set of model instances, without prefetching.")
        self.model, self.using = first.model, using
        self.query = first.query.chain()  # compiling adds the joins to the query
        compiler = self.query.get_compiler(using=using)
        self.sql, params = compiler.as_sql()
        self.state = {
            name: value
            for name, value in compiler.__dict__.items()
            if name not in ("query", "connection", "using")
        }
        self.params_type, self.template = type(params), list(params)
        # Each thread's connection converts the columns it reads in the same way: worked out
        # once for each, rather than on every run.
        self.converters = weakref.WeakKeyDictionary()
        self.markers = self._adapted(_markers(types, 0))
        self.slots = _slots(self.template, self.markers)
        other_sql, other_params = second.query.chain().get_compiler(using=using).as_sql()
        other_markers = _markers(types, 1)
        if (
            other_sql != self.sql
            or _slots(list(other_params), self._adapted(other_markers)) != self.slots
            or self.params(other_markers) != type(other_params)(other_params)
        ):
            raise ValueError("The query's SQL depends on the values, or not all reach it.")

    def _adapted(self, values) -> list:
        connection = connections[self.using]
        return [_adapted(value, connection) for value in values]

    def params(self, values):
        """The parameters for ``values``, or None when a value cannot simply replace its
        stand-in: a string matched by ``startswith`` that ``LIKE`` would have to escape, or
        one parameter made of several values."""
        params, connection = list(self.template), connections[self.using]
        for position, found in self.slots:
            param, marker = params[position], self.markers[found[0]]
            value = _adapted(values[found[0]], connection)
            if len(found) > 1:
                return None
            if param == marker:
                # As the backend adapted the stand-in: psycopg's Int4 for an integer field.
                params[position] = type(param)(value) if isinstance(param, int) else value
            elif connection.ops.prep_for_like_query(value) == value:
                params[position] = param.replace(marker, value)
            else:
                return None
        return self.params_type(params)

    def run(self, params) -> list:
        """The model instances the query finds, made by Django's model iterable."""
        compiler = self.query.get_compiler(using=self.using)
        compiler.__dict__.update(self.state)
        compiler.as_sql = lambda *args, **kwargs: (self.sql, params)
        converters = self.converters.get(compiler.connection)
        if converters is None:
            columns = [column for column, *_rest in compiler.select[: compiler.col_count]]
            converters = self.converters[compiler.connection] = compiler.get_converters(columns)
        compiler.get_converters = lambda expressions: converters
        query = copy.copy(self.query)
        query.get_compiler = lambda *args, **kwargs: compiler
        return list(QuerySet(model=self.model, query=query, using=self.using))


def _slots(params, markers) -> list:
    """(position, indexes of the values there) for each parameter that holds values; every
    value must be somewhere."""
    slots = []
    for position, param in enumerate(params):
        found = [index for index, marker in enumerate(markers) if _holds(param, marker)]
        if found:
            slots.append((position, found))
    if {index for _position, found in slots for index in found} != set(range(len(markers))):
        raise ValueError("The query's SQL depends on the values, or not all reach it.")
    return slots


def _holds(param, marker) -> bool:
    if isinstance(marker, str):
        return isinstance(param, str) and marker in param
    if isinstance(marker, int):
        return isinstance(param, int) and not isinstance(param, bool) and param == marker
    return type(param) is type(marker) and param == marker
