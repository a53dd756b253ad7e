"""Requests refused at the door, before any view: a NUL character in the query string.

PostgreSQL cannot hold NUL (0x00) in text, so a search or filter carrying one would fail in the
database (a 500); no real search needs it. Forms and serializers already refuse NUL in what they
receive; the query string is read raw by searches and filters, so it is checked once here for every
page and API endpoint.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse

NUL_MESSAGE = "The address holds a NUL character (%00), which no search or filter accepts. Remove it and try again."


class RejectNulInQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
