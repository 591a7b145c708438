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


def unauthorized(message: str, code: str = "UNAUTHORIZED_ERROR") -> ApiError:
    # The code for JWT failures is UNCONFIRMED; the message prefixes are Paradex's.
    return ApiError(code, message, 401)
