from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wagtail_spinecare.clinic_setup import add_clinic
from wagtail_spinecare.terminology import DEFAULT_REGION, REGIONS


class Command(BaseCommand):
    """``manage.py spinecare_add_clinic``: :func:`~wagtail_spinecare.clinic_setup.add_clinic` from a
    shell or a deployment script."""

    @property
    def help(self):
        return _(
            "Add a clinic: its site, home page, clinic settings, an editors group with exactly "
            "the clinic's permissions, and a draft page for every shared condition. Safe to run "
            "again: what exists is left as it is."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "hostname", help=_("The clinic's host name, e.g. harbourside.example.com.")
        )
        parser.add_argument("name", help=_("The clinic's name as patients know it."))
        parser.add_argument(
            "--region",
            choices=sorted(REGIONS),
            default=DEFAULT_REGION,
            help=_("Sets the clinic's words and emergency numbers (default: %(default)s)."),
        )
        parser.add_argument("--port", type=int, default=80, help=_("Default: 80."))

    def handle(self, *args, hostname, name, region, port, **options):
        try:
            setup = add_clinic(hostname, name, region, port)
        except ValidationError as error:
            raise CommandError(
                "; ".join(
                    f"{field}: {' '.join(messages)}"
                    for field, messages in error.message_dict.items()
                )
            ) from error
        for verb, thing in setup.lines:
            self.stdout.write(f"  {verb:<9} {thing}")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(name)s is ready at %(address)s. Add its editors to the group "
                    "'%(group)s', fill in its clinic settings, then review and publish its "
                    "pages."
                )
                % {
                    "name": name,
                    "address": f"http://{setup.site.hostname}"
                    + (f":{port}" if port != 80 else "")
                    + "/",
                    "group": setup.group.name,
                }
            )
        )
