from django.core.management.base import BaseCommand

from wagtail_spinecare import consent, consent_actions


class Command(BaseCommand):
    """``manage.py spinecare_expire_consents``, to run from cron once a day: consents expire
    by date."""

    help = (
        "For cron: take down testimonials whose consent has expired (the same steps as a "
        "withdrawal: search index, cached pages, audit event) and list consents expiring "
        "within 30 days. Pages already hide expired testimonials on their own; this makes the "
        "rest of the system agree and tells you whom to ask again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="Warn this many days ahead.")

    def handle(self, *args, days, **options):
        expired = consent_actions.expire()
        for testimonial in expired:
            self.stdout.write(
                f"expired   #{testimonial.pk} {testimonial.site.hostname}: {testimonial.excerpt}"
            )
        soon = list(consent.expiring_soon(days=days))
        for record in soon:
            testimonial = record.testimonial
            self.stdout.write(
                f"expiring  #{testimonial.pk} {testimonial.site.hostname} on "
                f"{record.expires_on.isoformat()}: {testimonial.excerpt}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(expired)} consent(s) expired now; {len(soon)} expire within {days} days."
            )
        )
