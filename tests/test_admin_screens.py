"""Admin screens load for an editor and reject bad input with a message."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from wagtail_spinecare.factories import ClinicianFactory
from wagtail_spinecare.models import Clinician, ClinicSettings


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


def test_clinician_admin_list_create_inspect(admin_client):
    clinician = ClinicianFactory(name="Priya Shah", registration_number="PH765432")
    index = admin_client.get(reverse("wagtail_spinecare_clinician_modeladmin_index"))
    assert index.status_code == 200
    assert "Priya Shah" in index.content.decode()

    response = admin_client.post(
        reverse("wagtail_spinecare_clinician_modeladmin_create"),
        {"name": "Sam Lee", "profession": "Physiotherapist", "post_nominals": "MCSP"},
    )
    assert response.status_code == 302
    assert Clinician.objects.filter(name="Sam Lee").exists()

    inspect = admin_client.get(
        reverse("wagtail_spinecare_clinician_modeladmin_inspect", args=(clinician.pk,))
    )
    assert inspect.status_code == 200
    assert "PH765432" in inspect.content.decode()


def test_clinician_without_profession_is_refused(admin_client):
    response = admin_client.post(
        reverse("wagtail_spinecare_clinician_modeladmin_create"), {"name": "No Job"}
    )
    assert response.status_code == 200
    assert "profession" in response.context["form"].errors
    assert not Clinician.objects.exists()


def test_clinic_settings_refuse_a_light_brand_colour(admin_client, uk_clinic):
    _index, site, clinic = uk_clinic
    url = reverse("wagtailsettings:edit", args=("wagtail_spinecare", "clinicsettings", site.pk))
    assert admin_client.get(url).status_code == 200
    data = {
        "clinic_name": "Harbour Physio",
        "business_type": "Physiotherapy",
        "region": "uk",
        "utm_medium": "website",
        "brand_colour": "#f5d142",
        "default_disclaimer": "General information only.",
        "typicality_statement": "Individual results vary.",
        "review_interval_months": "12",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "contrast" in response.context["form"].errors["brand_colour"][0]
    clinic.refresh_from_db()
    assert clinic.brand_colour != "#f5d142"

    data["brand_colour"] = "#1d4f91"
    assert admin_client.post(url, data).status_code == 302
    assert ClinicSettings.objects.get(site=site).brand_colour == "#1d4f91"
