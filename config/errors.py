"""Errors that services raise and both the pages and the API turn into clear answers.

- django.core.exceptions.ValidationError (with field names): 400 / a form error
- django.core.exceptions.PermissionDenied: 403 (the object is in scope, the action is not yours)
- Conflict: 409 (the object's state forbids the action)
"""


class Conflict(Exception):
    def __init__(self, message: str, code: str = "conflict"):
        super().__init__(message)
        self.message = message
        self.code = code
