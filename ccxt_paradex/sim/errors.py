"""Paradex's error body ``{error, message, data}`` with the HTTP status it travels with."""


class ApiError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, data=None, headers=None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.data = data
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": self.code, "message": self.message, "data": self.data}


def bad_request(message: str, code: str = "INVALID_REQUEST_PARAMETER") -> ApiError:
    return ApiError(code, message, 400)


def validation_error(message: str) -> ApiError:
    """An order (or algo order) the venue refuses for its fields."""
    return ApiError("VALIDATION_ERROR", message, 400)


def not_onboarded() -> ApiError:
    """A login or request of an account that never onboarded (the message Paradex sends)."""
    return ApiError("NOT_ONBOARDED", "User has never called /onboarding endpoint", 400)


def json_object(body, what="body") -> dict:
    """``body`` when it is a JSON object, else the binding error Paradex answers."""
    if not isinstance(body, dict):
        raise ApiError("BINDING_ERROR", f"{what} must be a JSON object", 400)
    return body


def unauthorized(message: str, code: str = "UNAUTHORIZED_ERROR") -> ApiError:
    # The code for JWT failures is UNCONFIRMED; the message prefixes are Paradex's.
    return ApiError(code, message, 401)
