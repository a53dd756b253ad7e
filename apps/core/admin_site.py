"""Trestle's admin site: the Django admin, with a refusal that says why instead of a bare 404.

Django answers a section (``/admin/<app>/``) the user may see nothing of with "page not found" (a
debug page while ``DEBUG`` is on). Here it is a 403 on the friendly page, with the reason the
section's admins give (``section_refusal``) or a general one.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied

NO_ACCESS = (
    "Your Trestle permissions don't include this part of the admin. Ask a company admin to change your "
    "permission template if you need it."
)


class TrestleAdminSite(AdminSite):
    site_header = "Trestle"
    site_title = "Trestle"
    index_title = "Project financials in step with Sage 300 CRE"

    def app_index(self, request, app_label, extra_context=None):
        admins = [model_admin for model, model_admin in self._registry.items() if model._meta.app_label == app_label]
        if admins and not self.get_app_list(request, app_label):
            reasons = [getattr(model_admin, "section_refusal", "") for model_admin in admins]
            raise PermissionDenied(next((reason for reason in reasons if reason), NO_ACCESS))
        return super().app_index(request, app_label, extra_context)


class TrestleAdminConfig(AdminConfig):
    default_site = "apps.core.admin_site.TrestleAdminSite"



