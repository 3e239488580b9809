from wagtail import hooks
from wagtail_modeladmin.options import modeladmin_register

from .admin.choosers import testimonial_chooser_viewset, treatment_chooser_viewset
from .admin.modeladmin import ClinicRecordsGroup

modeladmin_register(ClinicRecordsGroup)


@hooks.register("register_admin_viewset")
def register_testimonial_chooser():
    return testimonial_chooser_viewset


@hooks.register("register_admin_viewset")
def register_treatment_chooser():
    return treatment_chooser_viewset
