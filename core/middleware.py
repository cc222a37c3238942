"""Middleware for what the whole site shares: response headers, and request bodies it can read.

- SecurityHeadersMiddleware sends Permissions-Policy and Cross-Origin-Resource-Policy, which Django has
  no setting for. It sits before WhiteNoise, so static files get them too.
- ContentSecurityPolicyMiddleware is django-csp's, with the admin's additions to the policy.
- RequestCharsetMiddleware turns away a request body in any character set but UTF-8.
"""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import BadRequest


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """Every page gets settings.CONTENT_SECURITY_POLICY; the admin's pages also what it adds for them.

    Public pages, the contact form and staff sign-in run no script and fetch nothing. The admin runs
    Django's and markdownx's JavaScript, which fetches the live preview and the plain-language check:
    CONTENT_SECURITY_POLICY_ADMIN. A view may still change its own policy with django-csp's decorators.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        match = getattr(request, "resolver_match", None)
        if not report_only and match is not None and "admin" in match.app_names:
            parts.update = {**settings.CONTENT_SECURITY_POLICY_ADMIN, **(parts.update or {})}
        return parts


class RequestCharsetMiddleware:
    """Answer the site's 400 page to a request body declared in any character set but UTF-8.

    Browsers send every form here in UTF-8, and Django already refuses a URL-encoded form declared in
    another charset. But it reads a charset name Python does not know (`nope`) as UTF-8, and fails with
    a 500 on one Python knows but cannot decode text with (`rot13` or `idna` on a multipart body). So
    the charset is checked here, before anything (the CSRF check first) reads request.POST; BadRequest
    brings the 400 page (core.views.bad_request).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = (request.content_params or {}).get("charset")
        if charset is not None and charset.lower() != "utf-8":
            raise BadRequest("Request body in a character set the site does not read")
        return self.get_response(request)
