from django.apps import AppConfig


class Sage300Config(AppConfig):
    name = "apps.sage300"
    label = "sage300"
    verbose_name = "Sage 300 CRE"
