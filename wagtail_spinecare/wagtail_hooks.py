from wagtail_modeladmin.options import modeladmin_register

from .admin.modeladmin import ClinicRecordsGroup

modeladmin_register(ClinicRecordsGroup)
