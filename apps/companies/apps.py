from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "apps.companies"
    label = "companies"
    verbose_name = "Directory"

    def ready(self) -> None:
        from apps.companies import erp  # noqa: F401  (registers the ERP export adapters)
