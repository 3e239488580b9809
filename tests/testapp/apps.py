from django.apps import AppConfig


class ProjectPagesConfig(AppConfig):
    """Test-only page models: a clinic project's subclasses of the package's pages."""

    name = "tests.testapp"
    label = "testapp"
    verbose_name = "Project pages"
    default_auto_field = "django.db.models.BigAutoField"
