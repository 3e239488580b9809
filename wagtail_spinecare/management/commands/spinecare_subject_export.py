import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wagtail_spinecare import subjects


class Command(BaseCommand):
    """``manage.py spinecare_subject_export``: a data access request, across every clinic."""

    @property
    def help(self):
        return _(
            "Write everything held about one patient (testimonials in every state, consent records "
            "with the wording approved each time, audit events) as JSON."
        )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help=_("The patient's email address."))
        parser.add_argument("--output", help=_("Write to this file instead of standard output."))

    def handle(self, *args, email, output=None, **options):
        try:
            data = subjects.export(email)
        except subjects.UnknownSubject as error:
            raise CommandError(_("Nothing is held for %(email)s.") % {"email": email}) from error
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stderr.write(
                _("Wrote %(count)s testimonials to %(file)s.")
                % {"count": len(data["testimonials"]), "file": output}
            )
        else:
            self.stdout.write(text)
