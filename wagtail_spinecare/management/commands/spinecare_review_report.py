from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from wagtail_spinecare.governance import review_queryset
from wagtail_spinecare.models.review import DUE_SOON_DAYS, ReviewStatus
from wagtail_spinecare.spreadsheets import safe_cell

#: Exit statuses a monitor can act on.
ALL_CURRENT = 0
OVERDUE = 1
DUE_SOON = 2

#: What each line starts with, for scripts that read the output; the status is the one rule's.
CODES = {
    ReviewStatus.NEVER_REVIEWED: "NEVER REVIEWED",
    ReviewStatus.OVERDUE: "OVERDUE",
    ReviewStatus.DUE_SOON: "DUE SOON",
    ReviewStatus.CURRENT: "ok",
}


class Command(BaseCommand):
    """``manage.py spinecare_review_report``: the clinical review report as text, with an
    exit status a monitor can act on."""

    @property
    def help(self):
        return _(
            "For cron and monitoring: list live clinical pages by when their review is due. Exits "
            "1 if any review is overdue or missing, 2 if one is due within --days, otherwise 0."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=DUE_SOON_DAYS, help=_("Warn this many days ahead.")
        )

    def handle(self, *args, days, **options):
        overdue = due_soon = 0
        for page in review_queryset(days=days).live():
            due = page.review_due
            status = CODES[page.review_status]
            if page.review_status in (ReviewStatus.NEVER_REVIEWED, ReviewStatus.OVERDUE):
                overdue += 1
            elif page.review_status == ReviewStatus.DUE_SOON:
                due_soon += 1
            # One line a page, whatever its title holds, and a title that a spreadsheet
            # opening the report shows as text, never runs as a formula.
            title = safe_cell(" ".join(page.title.split()))
            self.stdout.write(f"{status:<15} {due or '-'!s:<10} {page.url_path}  {title}")
        self.stdout.write(
            _("%(overdue)s overdue, %(due_soon)s due within %(days)s days.")
            % {"overdue": overdue, "due_soon": due_soon, "days": days}
        )
        if overdue:
            raise SystemExit(OVERDUE)
        if due_soon:
            raise SystemExit(DUE_SOON)
