"""Object ids from URLs and query strings, checked before any query is made.

An id that is not a whole number, or too large for the database's column (PostgreSQL
refuses ``99999999999999999999`` with an error of its own), is an object that does not
exist: the answer is 404, never a server error.
"""

import re

from django.db import connections, router
from django.http import Http404

DIGITS = re.compile(r"[0-9]{1,20}")

#: For the URL patterns of the views of one object: anything else is 404. Eighteen digits at
#: most, so any id that matches fits the 64-bit id columns of this app's models.
ID_PATTERN = r"[0-9]{1,18}"


def object_id(model, value) -> int:
    """``value`` as an id of ``model``, or 404 if no object of ``model`` can have it."""
    text = str(value)
    if not DIGITS.fullmatch(text):
        raise Http404
    number = int(text)
    ops = connections[router.db_for_read(model)].ops
    low, high = ops.integer_field_range(model._meta.pk.get_internal_type())
    if (low is not None and number < low) or (high is not None and number > high):
        raise Http404
    return number


def object_ids(model, values) -> list[int]:
    """Each of ``values`` as an id of ``model``; 404 if any cannot be one."""
    return [object_id(model, value) for value in values]
