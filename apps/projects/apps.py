from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "apps.projects"
    label = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from apps.projects import erp  # noqa: F401  (registers the ERP export adapters)
