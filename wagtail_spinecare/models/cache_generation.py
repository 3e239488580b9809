"""The generation of the page and fragment caches, where every process can read it.

A cache each process keeps for itself (Django's local-memory cache, the default of a new
project) cannot tell the other processes that what it holds is stale. With such a cache the
generation lives here instead, in one row, moved on in the same transaction as the change
(see :mod:`wagtail_spinecare.cache`).
"""

import secrets

from django.db import models
from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _


class CacheGeneration(models.Model):
    """One row: the number every cached page and fragment is kept under."""

    ROW = 1

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("cache generation")

    def __str__(self):
        return str(self.value)

    @classmethod
    def current(cls) -> int:
        """The generation (one query)."""
        return cls.objects.filter(pk=cls.ROW).values_list("value", flat=True).first() or 0

    @classmethod
    def subquery(cls) -> Subquery:
        """The generation, to read in a query a page makes anyway."""
        return Subquery(cls.objects.filter(pk=cls.ROW).values("value")[:1])

    @classmethod
    def move_on(cls) -> None:
        """Move the generation on, inside the current transaction: the change and the new
        generation become visible to other processes together.

        To a number never used before, not the next one: entries kept under the number of a
        change that was rolled back must not match a later change's.
        """
        value = secrets.randbits(62)
        if not cls.objects.filter(pk=cls.ROW).update(value=value):
            cls.objects.update_or_create(pk=cls.ROW, defaults={"value": value})
