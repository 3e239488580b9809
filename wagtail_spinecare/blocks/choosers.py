"""A chooser block built on an admin chooser viewset, and loading chosen objects in bulk."""

import copy

from django.apps import apps
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from wagtail import blocks


class ViewSetChooserBlock(blocks.ChooserBlock):
    """A chooser block whose widget is a ``ChooserViewSet``'s.

    The model and the viewset are named, not imported, and looked up on first use: blocks
    are defined while the app registry is still loading, and the viewsets belong to the
    admin, which builds on the blocks.
    """

    model_path = ""
    #: The dotted path of the chooser viewset, e.g. ``"myapp.admin.thing_chooser_viewset"``.
    viewset_path = ""

    @cached_property
    def target_model(self):
        """The model named by ``model_path``, looked up once the app registry is ready."""
        return apps.get_model(self.model_path)

    @cached_property
    def widget(self):
        """The chooser widget of the viewset at ``viewset_path``."""
        return import_string(self.viewset_path).widget_class()

    def get_form_state(self, value):
        """What the chooser widget shows for ``value``: its title and edit link."""
        return self.widget.get_value_data(value)


def in_order(values, found: dict) -> list:
    """``found[value]`` for each value, as Wagtail's ChooserBlock returns them.

    An object chosen twice comes back as two instances, so a block that sets something on
    it (an image's alt text) cannot overwrite another block's.
    """
    seen, result = set(), []
    for value in values:
        obj = found.get(value)
        if obj is not None and value in seen:
            obj = copy.copy(obj)
        seen.add(value)
        result.append(obj)
    return result
