from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from wagtail_spinecare import consent, consent_actions


class Command(BaseCommand):
    """``manage.py spinecare_expire_consents``, to run from cron once a day: consents expire
    by date."""

    @property
    def help(self):
        return _(
            "For cron: take down testimonials whose consent has expired (the same steps as a "
            "withdrawal: search index, cached pages, audit event) and list consents expiring "
            "within 30 days. Pages already hide expired testimonials on their own; this makes the "
            "rest of the system agree and tells you whom to ask again."
        )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help=_("Warn this many days ahead."))

    def handle(self, *args, days, **options):
        expired = consent_actions.expire()
        for testimonial in expired:
            self.stdout.write(
                _("expired   #%(id)s %(site)s: %(excerpt)s")
                % {
                    "id": testimonial.pk,
                    "site": testimonial.site.hostname,
                    "excerpt": testimonial.excerpt,
                }
            )
        soon = list(consent.expiring_soon(days=days))
        for record in soon:
            testimonial = record.testimonial
            self.stdout.write(
                _("expiring  #%(id)s %(site)s on %(date)s: %(excerpt)s")
                % {
                    "id": testimonial.pk,
                    "site": testimonial.site.hostname,
                    "date": record.expires_on.isoformat(),
                    "excerpt": testimonial.excerpt,
                }
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(expired)s consent(s) expired now; %(soon)s expire within %(days)s days.")
                % {"expired": len(expired), "soon": len(soon), "days": days}
            )
        )
