from django.core.management.base import BaseCommand, CommandError

from wagtail_spinecare import subjects


class Command(BaseCommand):
    """``manage.py spinecare_subject_erase``: an erasure request, across every clinic."""

    help = (
        "Erase everything held about one patient: their testimonials, consent records and evidence "
        "documents. Only an audit event per testimonial, with no personal data, is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The patient's email address.")

    def handle(self, *args, email, **options):
        try:
            count = subjects.erase(email)
        except subjects.UnknownSubject as error:
            raise CommandError(f"Nothing is held for {email}.") from error
        self.stdout.write(self.style.SUCCESS(f"Erased {count} testimonials held for {email}."))
