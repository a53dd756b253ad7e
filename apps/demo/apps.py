"""The demo app's configuration: it sits on top of every other app and nothing imports it."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "apps.demo"
    label = "demo"
    verbose_name = "Demo data"
