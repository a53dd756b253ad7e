from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ErpConfig(AppConfig):
    name = "apps.erp"
    label = "erp"
    verbose_name = "ERP Integrations"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from apps.erp.schedules import ensure_schedules_after_migrate

        # Every installed app's ``erp.py`` declares its documents, datasets and checks (apps.erp.registry).
        autodiscover_modules("erp")
        post_migrate.connect(ensure_schedules_after_migrate, sender=self, dispatch_uid="erp-ensure-schedules")
