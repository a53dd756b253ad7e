"""Trestle's own pages outside the admin and the API: health, and the friendly 403 and 404 pages."""

from django.contrib import admin
from django.db import connections
from django.http import JsonResponse
from django.shortcuts import render

from apps.core.admin_site import NO_ACCESS


def healthz(request):
    """Liveness and database reachability of Trestle and the embedded Sage."""
    status = {}
    for alias in ("default", "sage"):
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
            status[alias] = "ok"
        except Exception as exc:  # noqa: BLE001 - report any database failure as data
            status[alias] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "databases": status}, status=200 if healthy else 503)


def _error_page(request, template: str, status: int, **context):
    """The page in the admin's look, with its header and a way back (``each_context`` gives both)."""
    try:
        base = admin.site.each_context(request)
    except Exception:  # noqa: BLE001 - an error page must render even when the request is half-built
        base = {"site_header": "Trestle", "site_title": "Trestle"}
    return render(request, template, {**base, **context}, status=status)


def permission_denied(request, exception=None):
    """403: what was refused and why, with a way back, instead of a bare "403 Forbidden"."""
    reason = str(exception or "").strip() or NO_ACCESS
    return _error_page(request, "403.html", 403, reason=reason)


def page_not_found(request, exception=None):
    """404 (when DEBUG is off): the address was not found, with a way back; never the internal reason."""
    return _error_page(request, "404.html", 404, request_path=request.path)
