"""Panels this app adds to its pages' edit screens."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from .checks import run_checks
from .testimonial_display import TestimonialReader


class ContentChecksPanel(Panel):
    """Shows the editor what the content checks find in the page as last saved."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("Content checks"))
        super().__init__(*args, **kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_spinecare/admin/panels/content_checks.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            context["checked"] = bool(page and page.pk)
            # The form's reader, when it has one, already knows the testimonials on the page.
            reader = getattr(self.form, "testimonial_reader", None) or TestimonialReader(
                self.request.user
            )
            context["findings"] = run_checks(page, reader=reader) if context["checked"] else []
            return context


class SharedContentPanel(Panel):
    """On a clinic's page: what the shared page it draws on says, and where to change it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("heading", _("Shared clinical content"))
        super().__init__(*args, **kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "wagtail_spinecare/admin/panels/shared_content.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            shared = page.shared_page if page is not None and page.shared_page_id else None
            context["shared"] = shared.specific if shared is not None else None
            context["can_edit_shared"] = shared is not None and (
                shared.permissions_for_user(self.request.user).can_edit()
            )
            return context
