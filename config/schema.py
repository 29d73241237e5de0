"""The OpenAPI schema says every answer an operation can give (drf-spectacular documents only the
success): a postprocessing hook adds the error answers that the API's shared layers give, with
their bodies. tests/test_schema_conformance.py holds the schema to the answers (schemathesis).

- 400 `ValidationError` where the operation reads a query string or a body (fields -> messages);
- 401 `Error` without a valid token or session (every operation but signing in);
- 403 `Error` when the role may not act, 404 `Error` when the object (or the page) is not
  there for this person;
- 409 `Error` (with `code`) where a POST meets a state that refuses it;
- 413 `Error` for a body over REQUEST_MAX_BYTES, 429 `Error` for a locked-out sign-in,
- 503 `Error` (with `Retry-After`) while the database does not answer.
"""

from django.utils.translation import gettext_lazy as _

from core.ids import MAX_ID

ERROR = {
    "type": "object",
    "description": "An answer other than success: what happened, in the person's language.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "A stable name for the refusal."},
    },
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "Each field (or `non_field_errors`, or `detail`) that was refused, with its messages."
    ),
    "additionalProperties": {},
    "minProperties": 1,
}
RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."},
}


def _answer(description, component: str, headers=None) -> dict:
    answer = {
        "description": str(description),
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }
    if headers:
        answer["headers"] = headers
    return answer


def _reads_input(operation: dict) -> bool:
    return "requestBody" in operation or any(
        p["in"] == "query" for p in operation.get("parameters", [])
    )


def _finds_something(path: str, operation: dict) -> bool:
    """An object in the path, or a page of a list: either may not be there (404)."""
    return "{" in path or any(p["name"] == "page" for p in operation.get("parameters", []))


MAX_PATH_ID = 10**18 - 1  # config.api.Router: at most 18 digits


def bound_ids(result, generator, request, public):
    """Ids (and page numbers) are whole numbers from 1: an integer parameter without bounds
    gets them, so the schema promises nothing the database cannot hold."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.get("type") == "integer" and parameter["in"] in ("path", "query"):
                    schema.setdefault("minimum", 1)
                    top = MAX_PATH_ID if parameter["in"] == "path" else MAX_ID
                    schema.setdefault("maximum", top)
    return result


def json_bodies(result, generator, request, public):
    """The API is JSON: a body that can be JSON is documented as JSON only. (The shared parsers
    also read forms, for the browsable tools; a form cannot say `null`, so documenting one would
    promise what it cannot carry.) Uploads stay multipart."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for other in [media for media in content if media != "application/json"]:
                    del content[other]
    return result


EMPTY = {"type": "string", "maxLength": 0, "description": "empty: as if not given"}
NO_NUL = r"^[^\u0000]*$"
SOME_TEXT = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


def empty_queries(result, generator, request, public):
    """A query parameter sent empty (`?kind=`) is as if not given: the lists' filters are the
    pages' forms, where the empty choice means every one. The schema says so."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                schema = parameter.get("schema", {})
                plain = not {"enum", "format", "pattern"} & set(schema)
                if schema.get("type") == "string" and plain:
                    schema["pattern"] = NO_NUL  # Django's form fields refuse it
                if parameter.get("required"):
                    continue  # a required parameter sent empty is missing, not "every one"
                if schema.get("type") == "string" and "enum" in schema:
                    if "" not in schema["enum"]:
                        schema["enum"] = [*schema["enum"], ""]
                elif schema.get("type") != "string" or schema.get("minLength") or not plain:
                    parameter["schema"] = {"anyOf": [schema, EMPTY]}
    return result


def text_fields(result, generator, request, public):
    """Text in a request body: DRF refuses the NUL character, and trims whitespace before
    asking for at least one character. The schema says both."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for prop in component.get("properties", {}).values():
            if prop.get("type") != "string" or {"format", "enum", "pattern"} & set(prop):
                continue
            prop["pattern"] = SOME_TEXT if prop.get("minLength") else NO_NUL
    return result


def document_errors(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            signs_in = path.endswith("/auth/token/")
            errors = {
                "400": (_reads_input(operation), _("The input is not valid."), "ValidationError"),
                "401": (not signs_in, _("Not signed in, or the token expired."), "Error"),
                "403": (not signs_in, _("This role may not do this."), "Error"),
                "404": (_finds_something(path, operation), _("Not found."), "Error"),
                "409": (method == "post" and not signs_in, _("The state refuses it."), "Error"),
                "413": ("requestBody" in operation, _("The body is too large."), "Error"),
                "429": (signs_in, _("Too many failed sign-ins: wait."), "Error"),
            }
            responses = operation.setdefault("responses", {})
            for status, (applies, description, component) in errors.items():
                if applies:
                    headers = RETRY_AFTER if status == "429" else None
                    responses.setdefault(status, _answer(description, component, headers))
            responses.setdefault(
                "503", _answer(_("The database does not answer: retry."), "Error", RETRY_AFTER)
            )
    return result
