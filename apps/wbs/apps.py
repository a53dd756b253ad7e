from django.apps import AppConfig


class WbsConfig(AppConfig):
    name = "apps.wbs"
    label = "wbs"
    verbose_name = "Work breakdown structure"
