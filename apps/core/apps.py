from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.models import CharField

        from apps.core.lookups import AnyOf

        CharField.register_lookup(AnyOf)
