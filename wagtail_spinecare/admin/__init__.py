"""Admin screens: modeladmin classes for clinic records. Wired up in ``wagtail_hooks``."""
