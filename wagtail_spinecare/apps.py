from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailSpinecareConfig(AppConfig):
    name = "wagtail_spinecare"
    label = "wagtail_spinecare"
    verbose_name = _("Spine care")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Importing system_checks registers its checks with Django.
        from . import signals, system_checks  # noqa: F401

        signals.connect()
