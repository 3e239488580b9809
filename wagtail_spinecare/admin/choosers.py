"""The choosers used inside StreamFields: testimonials (the editor's clinics' only) and
treatments."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets.chooser import BaseChooser

from ..permissions import has_any_clinic, managed_testimonials
from .ids import object_id, object_ids


class ClinicScopedChoosing:
    """Only the testimonials of the clinics the user manages can be listed, searched or chosen."""

    def get_object_list(self):
        return managed_testimonials(self.request.user)


class EditorTitle:
    """Chosen testimonials are named to the editors of their clinic by their first words; their
    ``str()`` (a label for logs and history) holds no words of the patient's."""

    def get_display_title(self, instance):
        return instance.editor_title


class TestimonialChooserWidget(EditorTitle, BaseChooser):
    """The chooser field for a testimonial, naming the chosen testimonial by its first words."""


class ClinicScopedChooseMixin(ClinicScopedChoosing):
    """The testimonial chooser's listing: the user's clinics' testimonials by their first
    words, and a note for a user of no clinic on why the list is empty."""

    results_template_name = "wagtail_spinecare/admin/testimonial_chooser_results.html"

    @property
    def title_column(self):
        column = super().title_column
        column.accessor = "editor_title"
        return column

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["no_clinic"] = not has_any_clinic(self.request.user)
        return context


class TestimonialChooseView(ClinicScopedChooseMixin, chooser_views.ChooseView):
    """The testimonial chooser as it opens."""


class TestimonialChooseResultsView(ClinicScopedChooseMixin, chooser_views.ChooseResultsView):
    """The testimonial chooser's results, as the editor searches or pages through them."""


class ChosenView(chooser_views.ChosenView):
    """Wagtail's view answering the choice of one object; an id no object can have
    ("abc", 2**64) is 404 before it reaches the database."""

    def get(self, request, pk):
        return super().get(request, object_id(self.model_class, pk))


class ChosenMultipleView(chooser_views.ChosenMultipleView):
    """Wagtail's view answering the choice of several objects (``?id=1&id=2``); any id no
    object can have is 404 before it reaches the database."""

    def get(self, request):
        ids = object_ids(self.model_class, request.GET.getlist("id"))
        return self.get_multiple_chosen_response(self.get_objects(ids))


class TestimonialChosenView(EditorTitle, ChosenView):
    """Answers the choice of one testimonial; another clinic's testimonial is not found."""

    def get_object(self, pk):
        return managed_testimonials(self.request.user).get(pk=pk)


class TestimonialChosenMultipleView(EditorTitle, ChosenMultipleView):
    """Answers the choice of several testimonials; other clinics' testimonials are left out."""

    def get_objects(self, pks):
        return managed_testimonials(self.request.user).filter(pk__in=pks)


class TestimonialChooserViewSet(ChooserViewSet):
    """Choosing a testimonial inside a StreamField. Pages store the choice, never the text."""

    model = "wagtail_spinecare.Testimonial"
    icon = "openquote"
    base_widget_class = TestimonialChooserWidget
    choose_view_class = TestimonialChooseView
    choose_results_view_class = TestimonialChooseResultsView
    chosen_view_class = TestimonialChosenView
    chosen_multiple_view_class = TestimonialChosenMultipleView
    choose_one_text = _("Choose a testimonial")
    choose_another_text = _("Choose another testimonial")
    edit_item_text = _("Edit this testimonial")
    per_page = 20


testimonial_chooser_viewset = TestimonialChooserViewSet("spinecare_testimonial_chooser")


class TreatmentChooserViewSet(ChooserViewSet):
    """Choosing a treatment for a comparison table. Every clinic shares the treatments."""

    model = "wagtail_spinecare.Treatment"
    icon = "table"
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    choose_one_text = _("Choose a treatment")
    choose_another_text = _("Choose another treatment")
    edit_item_text = _("Edit this treatment")
    per_page = 30


treatment_chooser_viewset = TreatmentChooserViewSet("spinecare_treatment_chooser")
