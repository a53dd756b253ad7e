from django.db import connections
from django.http import JsonResponse


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
