"""The one exception domain services raise. Its messages are constants that tests import."""


class ApplicationError(Exception):
    def __init__(self, message, *, code=None, extra=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}
