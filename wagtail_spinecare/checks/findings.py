"""What a content check finds: a stable code, a severity, a message and where it is."""

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem with a page: a stable ``code``, ``ERROR`` or ``WARNING``, a message for a
    clinic editor, and where it is (a label for the editor, a ``path`` into the body)."""

    code: str
    severity: str
    message: str
    location: str = ""
    path: tuple = field(default=())

    @property
    def is_error(self) -> bool:
        """Whether it blocks publishing."""
        return self.severity == ERROR

    def as_dict(self) -> dict:
        """The finding as JSON-ready data."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "location": self.location,
            "path": list(self.path),
        }


def errors(findings) -> list[Finding]:
    """The findings that block publishing."""
    return [finding for finding in findings if finding.is_error]
