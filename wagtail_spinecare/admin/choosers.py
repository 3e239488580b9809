from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.chooser import ChooserViewSet


class TestimonialChooserViewSet(ChooserViewSet):
    """Choosing a testimonial inside a StreamField. Pages store the choice, never the text."""

    model = "wagtail_spinecare.Testimonial"
    icon = "openquote"
    choose_one_text = _("Choose a patient story")
    choose_another_text = _("Choose another patient story")
    edit_item_text = _("Edit this patient story")
    per_page = 20


testimonial_chooser_viewset = TestimonialChooserViewSet("spinecare_testimonial_chooser")


class TreatmentChooserViewSet(ChooserViewSet):
    model = "wagtail_spinecare.Treatment"
    icon = "table"
    choose_one_text = _("Choose a treatment")
    choose_another_text = _("Choose another treatment")
    edit_item_text = _("Edit this treatment")
    per_page = 30


treatment_chooser_viewset = TreatmentChooserViewSet("spinecare_treatment_chooser")
