"""The app's configuration, and what it wires up once Django is ready."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailSpinecareConfig(AppConfig):
    """The app's label and name, and what must be in place before the first request."""

    name = "wagtail_spinecare"
    label = "wagtail_spinecare"
    verbose_name = _("Spine care")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Register the system checks, the signal receivers and the patient-record policy."""
        # Imported here, not at the top: they import the models, which Django loads only
        # after every app's config. Importing system_checks registers its checks.
        from . import signals, system_checks  # noqa: F401
        from .compat import register_permission_policy
        from .models import Testimonial
        from .permissions import patient_records

        # Here, not in wagtail_hooks: Wagtail 8 refuses a policy once it has made a
        # fallback one for the model, which any earlier lookup does.
        register_permission_policy(Testimonial, patient_records)
        signals.connect()
