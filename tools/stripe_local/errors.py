"""Stripe-shaped errors: ``{"error": {"type", "message", "code", "param", ...}}`` with an HTTP status.

They subclass localstripe's ``UserError`` so localstripe code paths and our error middleware render
them the same way; the official SDK maps status + ``type`` to its exception classes
(400/404 -> InvalidRequestError, 402 -> CardError, ``idempotency_error`` -> IdempotencyError).
"""

from localstripe.errors import UserError


class StripeError(UserError):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code=None,
        param=None,
        **extra,
    ):
        super().__init__(status, message)
        error = {"type": type, "message": message}
        if code:
            error["code"] = code
            error["doc_url"] = "https://stripe.com/docs/error-codes/" + code.replace("_", "-")
        if param:
            error["param"] = param
        error.update(extra)
        self.body = {"error": error}


def invalid(message: str, *, code=None, param=None, **extra) -> StripeError:
    return StripeError(400, message, code=code, param=param, **extra)


def no_such(kind: str, id, *, param: str = "id", status: int = 404) -> StripeError:
    return StripeError(status, f"No such {kind}: '{id}'", code="resource_missing", param=param)


def missing_param(name: str) -> StripeError:
    return invalid(f"Missing required param: {name}.", code="parameter_missing", param=name)


def unknown_param(name: str) -> StripeError:
    return invalid(f"Received unknown parameter: {name}", code="parameter_unknown", param=name)
