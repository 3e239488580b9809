from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from ..permissions import has_any_clinic, managed_testimonials


class ClinicScopedChoosing:
    """Only the stories of the clinics the user manages can be listed, searched or chosen."""

    def get_object_list(self):
        return managed_testimonials(self.request.user)


class ClinicScopedChooseMixin(ClinicScopedChoosing):
    results_template_name = "wagtail_spinecare/admin/testimonial_chooser_results.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["no_clinic"] = not has_any_clinic(self.request.user)
        return context


class TestimonialChooseView(ClinicScopedChooseMixin, chooser_views.ChooseView):
    pass


class TestimonialChooseResultsView(ClinicScopedChooseMixin, chooser_views.ChooseResultsView):
    pass


class TestimonialChosenView(chooser_views.ChosenView):
    def get_object(self, pk):
        return managed_testimonials(self.request.user).get(pk=pk)


class TestimonialChosenMultipleView(chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return managed_testimonials(self.request.user).filter(pk__in=pks)


class TestimonialChooserViewSet(ChooserViewSet):
    """Choosing a testimonial inside a StreamField. Pages store the choice, never the text."""

    model = "wagtail_spinecare.Testimonial"
    icon = "openquote"
    choose_view_class = TestimonialChooseView
    choose_results_view_class = TestimonialChooseResultsView
    chosen_view_class = TestimonialChosenView
    chosen_multiple_view_class = TestimonialChosenMultipleView
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
