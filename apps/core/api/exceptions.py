"""The API's one mapping from a service's refusal to a response (REST_FRAMEWORK["EXCEPTION_HANDLER"]).

- Django's ValidationError and our InvalidInput → 400 with the errors keyed by field (`non_field_errors` for
  the rest), as DRF answers for its own serializers;
- a Conflict (an invalid state transition, a job still waiting for its parts) → 409 with `detail` and what the
  refusal carries (`waiting_for`, `status`), nothing changed;
- a row that does not exist or is not the caller's (ObjectDoesNotExist, Http404) → 404, indistinguishable;
- a body without a Content-Type → 415 saying which header to send (DRF's own text quotes an empty type).

Views therefore call services without try/except for these; DRF's own handler does everything else.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import NotFound, UnsupportedMediaType, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from apps.core.errors import Conflict, InvalidInput, service_error_fields


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError | InvalidInput):
        exc = ValidationError(service_error_fields(exc))
    elif isinstance(exc, ObjectDoesNotExist):
        exc = NotFound()
    elif isinstance(exc, Conflict):
        set_rollback()
        return Response({"detail": str(exc), **exc.conflict_details()}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, UnsupportedMediaType) and not context["request"].content_type:
        exc = UnsupportedMediaType(
            "", detail="The request has a body but no Content-Type header: send it as application/json."
        )
    return exception_handler(exc, context)
