"""Request checks and response headers that apply to every page and endpoint."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import JsonResponse

from basewatch.error_pages import bad_request_page, method_not_allowed, ogc_exception
from basewatch.ogc import html as ogc_html


class RejectNulCharactersMiddleware:
    """Refuse NUL characters in the query string with a 400 naming the parameter.

    PostgreSQL text cannot hold them, so a filter value carrying one would
    otherwise fail inside the database. (JSON bodies: api.parsers.) Each API answers
    in its own error format: the REST API's field errors, OGC API's exception.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                message = "Text may not contain NUL characters."
                parameter = name.replace("\x00", "") or "query"
                # The OGC exception (ogc.views) naming the parameter, unless a page was asked for.
                if request.path.startswith("/ogc/") and not ogc_html.wanted(request):
                    return ogc_exception(400, "InvalidParameterValue", f"{parameter}: {message}", parameter=parameter)
                if request.path.startswith("/api/"):
                    return JsonResponse({parameter: [message]}, status=400)
                return bad_request_page({parameter: [message]})
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """error_pages.method_not_allowed for a page's empty 405 (Django has no handler for 405s).
    The API and OGC API answer in their own formats; their 405s are left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code != 405
            or response.streaming
            or response.content
            or request.path.startswith(("/api/", "/ogc/"))
        ):
            return response
        return method_not_allowed(request, response.get("Allow", ""))


class ContentSecurityPolicyMiddleware:
    """Send a Content-Security-Policy that lets a page run only basewatch's own script files.

    No inline script runs unless it carries this response's nonce (django-leaflet's
    geometry widgets read `request.csp_nonce`), so markup planted in stored text cannot
    execute even if a template ever forgot to escape it. Styles may be inline: Leaflet's
    marker icons and the admin's widgets write style attributes, and a style cannot run
    script. The nonce is only made, and only named in the header, when a page used it, so
    the other pages' headers stay the same from one request to the next.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        nonce = _LazyNonce()
        request.csp_nonce = nonce
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(nonce.value) if nonce.value else POLICY
        return response


def content_security_policy(nonce: str | None = None) -> str:
    script = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script}",
            "style-src 'self' 'unsafe-inline'",
            # Map tiles (settings.TILE_URL, if any) and the small images Leaflet inlines.
            f"img-src 'self' data: {settings.TILE_ORIGIN}".rstrip(),
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


POLICY = content_security_policy()  # what every page without an inline script gets


class _LazyNonce:
    """A random nonce made on first use (str(nonce) in a template)."""

    value: str | None = None

    def __str__(self) -> str:
        if self.value is None:
            self.value = secrets.token_urlsafe(18)
        return self.value
