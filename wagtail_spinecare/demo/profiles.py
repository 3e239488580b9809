"""The two fictional clinics of the demo: one in the UK, one in the US."""

from dataclasses import dataclass, field

from ..terminology import Region


@dataclass(frozen=True)
class DemoClinician:
    """A demo clinic's reviewing clinician, as the fields of ``Clinician``."""

    name: str
    profession: str
    post_nominals: str
    credentials: str
    registration_body: str
    registration_number: str


@dataclass(frozen=True)
class DemoClinic:
    """One demo clinic: its site, country and the clinic settings it is given."""

    key: str
    hostname: str
    clinic_name: str
    region: str
    town: str
    settings: dict = field(default_factory=dict)
    clinician: DemoClinician | None = None
    #: The codes of the guidelines the clinic follows (see ``demo.treatments``).
    guidelines: tuple = ()

    @property
    def root_slug(self) -> str:
        """The first part of the host name, e.g. "harbourside"; names the editor account."""
        return self.hostname.split(".")[0]


CLINICS = [
    DemoClinic(
        key="uk",
        hostname="harbourside.localhost",
        clinic_name="Harbourside Physiotherapy",
        region=Region.UK,
        town="Portsea Quay",
        settings={
            "business_type": "Physiotherapy",
            "phone": "0117 496 0123",
            "street_address": "12 Quay Street",
            "address_locality": "Portsea Quay",
            "address_region": "Hampshire",
            "postal_code": "PQ1 2AB",
            "booking_provider": "Cliniko",
            "booking_url": "https://book.harbourside-physio.example/",
            "utm_medium": "website",
            "brand_colour": "#0b5c7a",
            "opening_hours": "Monday to Friday: 8am to 7pm\nSaturday: 9am to 1pm",
            "privacy_url": "https://harbourside-physio.example/privacy",
            "complaints_url": "https://harbourside-physio.example/complaints",
            "regulator_name": "Health and Care Professions Council",
            "regulator_url": "https://www.hcpc-uk.org/check-the-register/",
        },
        clinician=DemoClinician(
            name="Amara Okafor",
            profession="Clinical lead physiotherapist",
            post_nominals="MSc MCSP",
            credentials="BSc (Hons) Physiotherapy\nMSc Advanced Musculoskeletal Practice",
            registration_body="Health and Care Professions Council",
            registration_number="PH123456",
        ),
        guidelines=("NICE NG59",),
    ),
    DemoClinic(
        key="us",
        hostname="lakeview.localhost",
        clinic_name="Lakeview Physical Therapy",
        region=Region.US,
        town="Maple Grove",
        settings={
            "business_type": "Physiotherapy",
            "phone": "(319) 555-0142",
            "street_address": "415 Elm Avenue, Suite 200",
            "address_locality": "Maple Grove",
            "address_region": "Iowa",
            "postal_code": "52000",
            "booking_provider": "Jane",
            "booking_url": "https://lakeview-pt.example/book",
            "utm_medium": "website",
            "brand_colour": "#6a2c70",
            "opening_hours": "Monday to Thursday: 7am to 7pm\nFriday: 7am to 4pm",
            "privacy_url": "https://lakeview-pt.example/privacy-practices",
            "complaints_url": "https://lakeview-pt.example/patient-concerns",
            "regulator_name": "Iowa Board of Physical and Occupational Therapy",
            "regulator_url": "https://dial.iowa.gov/",
        },
        clinician=DemoClinician(
            name="Daniel Reyes",
            profession="Physical therapist",
            post_nominals="PT, DPT, OCS",
            credentials=(
                "Doctor of Physical Therapy\nBoard-certified Orthopaedic Clinical Specialist"
            ),
            registration_body="Iowa Board of Physical and Occupational Therapy",
            registration_number="PT-004217",
        ),
        guidelines=("ACP 2017",),
    ),
]

#: The demo clinics' host names, by which their sites are found.
HOSTNAMES = tuple(clinic.hostname for clinic in CLINICS)
