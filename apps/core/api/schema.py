"""Documents the refusals every operation can give, so the schema lists what the API really answers.

The exception handler (apps/core/api/exceptions.py) makes these uniform, so they are added here by rule
instead of on each view: 400 wherever the client sends something (a body, a query or path parameter: field
errors, a malformed or too-deep body, out-of-range paging, a NUL in the URL), 415 wherever a body is read (sent
without a Content-Type, or in one the operation does not read), 404 wherever an object or the
caller's company is looked up (a path parameter, or a supplier or carrier endpoint, which finds the caller's
company first), 401 wherever anonymous callers are refused. Responses a view documents itself (409 with
`waiting_for`, 402, 429…) are left as they are.
"""

from __future__ import annotations

METHODS = {"get", "put", "patch", "post", "delete"}
COMPANY_SCOPED = ("/api/v1/supplier/", "/api/v1/carrier/", "/api/v1/designer/")

BAD_REQUEST = {
    "description": "Bad input: the body names each field at fault (`non_field_errors` for the rest), or "
    "`detail` says why the request could not be read."
}
NOT_FOUND = {"description": "No such object, or not yours (the two look the same)."}
UNSUPPORTED_MEDIA_TYPE = {
    "description": "The body came without a `Content-Type` header, or in a type this operation does not read: "
    "send `application/json` (or the form types the operation lists)."
}
UNAUTHENTICATED = {"description": "Sign in, or send a personal access token (`Authorization: Token cf_…`)."}


def add_refusal_responses(result, generator, request, public):
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            parameters = operation.get("parameters", [])
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation or parameters:
                responses.setdefault("400", BAD_REQUEST)
            if "requestBody" in operation:
                responses.setdefault("415", UNSUPPORTED_MEDIA_TYPE)
            if any(p["in"] == "path" for p in parameters) or path.startswith(COMPANY_SCOPED):
                responses.setdefault("404", NOT_FOUND)
            if {} not in operation.get("security", [{}]):  # no anonymous access
                responses.setdefault("401", UNAUTHENTICATED)
            operation["responses"] = dict(sorted(responses.items()))
    return result
