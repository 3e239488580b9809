from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wagtail_spinecare import subjects


class Command(BaseCommand):
    """``manage.py spinecare_subject_erase``: an erasure request, across every clinic."""

    @property
    def help(self):
        return _(
            "Erase everything held about one patient: their testimonials, consent records and "
            "evidence documents. Only an audit event per testimonial, with no personal data, is "
            "kept."
        )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help=_("The patient's email address."))

    def handle(self, *args, email, **options):
        try:
            count = subjects.erase(email)
        except subjects.UnknownSubject as error:
            raise CommandError(_("Nothing is held for %(email)s.") % {"email": email}) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Erased %(count)s testimonials held for %(email)s.")
                % {"count": count, "email": email}
            )
        )
