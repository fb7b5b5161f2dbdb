"""Request checks that apply to every page and endpoint."""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse


class RejectNulCharactersMiddleware:
    """Refuse NUL characters in the query string with a 400 naming the parameter.

    PostgreSQL text cannot hold them, so a filter value carrying one would
    otherwise fail inside the database. (JSON bodies: api.parsers.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                message = "Text may not contain NUL characters."
                if request.path.startswith("/api/"):
                    return JsonResponse({name.replace("\x00", "") or "query": [message]}, status=400)
                return HttpResponseBadRequest(message)
        return self.get_response(request)
