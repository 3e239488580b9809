"""Editorial content checks: what is wrong with a page, told to the editor before patients see it.

``run_checks(page)`` works on any page, saved or not (the page editor passes the page as the
form would save it), and returns findings with a stable code, a severity, a message for a
clinic editor and where in the page the problem is. Errors block publishing.

Findings are written for the editor who reads them: ``reader`` (a
``testimonial_display.TestimonialReader``) says which chosen testimonials are theirs to read.
Without one, no testimonial is named by its words, nor is the reason its consent gives.
"""

from .findings import ERROR, WARNING, Finding, errors
from .pages import check_page, run_checks
from .readability import reading_grade

__all__ = ["ERROR", "WARNING", "Finding", "check_page", "errors", "reading_grade", "run_checks"]
