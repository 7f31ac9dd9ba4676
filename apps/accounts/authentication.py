"""The API's token authentication: personal access tokens (apps/accounts/tokens.py), hashed at rest.

Clients send `Authorization: Token <token>` (as with the former plain-text tokens) or `Bearer <token>`.
`request.auth` is the ApiToken; `request.user` its user, who is all the token can ever act as.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from apps.accounts.tokens import TokenRejected, token_authenticate

KEYWORDS = frozenset({b"token", b"bearer"})


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: give one token after the keyword.")
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        try:
            token = token_authenticate(raw=raw)
        except TokenRejected as rejected:
            raise exceptions.AuthenticationFailed(str(rejected)) from None
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the API schema (/api/schema/) describes this authentication."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106 - the keyword
