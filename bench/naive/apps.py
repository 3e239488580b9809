from django.apps import AppConfig


class NaiveConfig(AppConfig):
    name = "bench.naive"
    label = "naive"
    verbose_name = "Plain Wagtail page"
    default_auto_field = "django.db.models.AutoField"
