"""The OpenAPI schema tells the truth. schemathesis sends generated requests to every operation
as four roles, both schema-valid ones and ones that break it, and runs every check it has:
no 5xx, every status code and content type documented, every body valid, invalid input
refused, valid input accepted, no operation without authentication, and the rest.

One refinement, for what a schema cannot say: an id in the input that names no object in the
caller's scope ("does not exist", the project's rule: 400 naming the field) is a correct answer
to schema-valid input. That 400 is accepted only when every field it names is an id and every
message says the object is unknown; any other refusal of valid input still fails.

Bounded for CI: SCHEMA_EXAMPLES examples per operation, role and mode (docs/security.md has the
figures of longer runs: `SCHEMA_EXAMPLES=100 python3 run.py test tests/test_schema_conformance.py`).
"""

import functools
import json
import os
import re

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.db import close_old_connections
from django.utils import translation
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import django_application

EXAMPLES = int(os.environ.get("SCHEMA_EXAMPLES", "4"))
ROLES = ["street_jinhaihu", "dept_pg_police", "district_pinggu", "hotline_operator"]
# What DRF, Django and the project say when an id names nothing the caller may use.
UNKNOWN_OBJECT_MESSAGES = [
    'Invalid pk "{pk_value}" - object does not exist.',
    "Select a valid choice. That choice is not one of the available choices.",
    "Unknown community.",
]


@functools.cache
def _unknown_object() -> re.Pattern:
    """Those messages in every language of the platform (the answers are in Chinese)."""
    said = []
    for code, _name in django_settings.LANGUAGES:
        with translation.override(code):
            for message in UNKNOWN_OBJECT_MESSAGES:
                parts = translation.gettext(message).split("{pk_value}")
                said.append(".*".join(re.escape(part) for part in parts))
    return re.compile("^(" + "|".join(said) + ")$")


def _id_fields(case) -> set[str]:
    """The names of the operation's integer inputs (ids), in the query and the body."""
    definition = case.operation.definition.raw
    names = set()
    for parameter in definition.get("parameters", []):
        schema = parameter.get("schema", {})
        if "integer" in [choice.get("type") for choice in schema.get("anyOf", [schema])]:
            names.add(parameter["name"])
    components = case.operation.schema.raw_schema["components"]["schemas"]

    def resolved(schema):
        return components.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)

    for media in definition.get("requestBody", {}).get("content", {}).values():
        schema = resolved(media["schema"])
        for name, prop in schema.get("properties", {}).items():
            items = resolved(prop.get("items", {}))
            # a list of objects holding ids counts too (a meeting's follow-ups and their
            # owners): its errors are accepted when every message says an object is unknown
            held = [p.get("type") for p in items.get("properties", {}).values()]
            if "integer" in (prop.get("type"), items.get("type"), *held):
                names.add(name)
    return names


def _messages(values):
    """Every message of a field's errors (a list's items have theirs by index)."""
    for value in values:
        if isinstance(value, dict):
            yield from _messages(value.values())
        elif isinstance(value, list):
            yield from _messages(value)
        else:
            yield value


def _only_unknown_objects(case, response) -> bool:
    if response.status_code != 400:
        return False
    try:
        errors = json.loads(response.content)
    except ValueError:
        return False
    if not isinstance(errors, dict) or not errors or set(errors) - _id_fields(case):
        return False
    messages = list(_messages(errors.values()))
    return all(isinstance(m, str) and _unknown_object().match(m) for m in messages)


def _only_a_bad_upload(case, response) -> bool:
    """An uploaded file's content is more than a schema can say (a duty list's CSV or XLSX,
    docs/duties.md): a 400 about the file alone, from a multipart operation, is not a lie."""
    body = case.operation.definition.raw.get("requestBody", {}).get("content", {})
    if response.status_code != 400 or "multipart/form-data" not in body:
        return False
    try:
        errors = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(errors, dict) and "file" in errors and set(errors) <= {"file", "errors"}


@schemathesis.check
def valid_input_accepted_but_unknown_ids(ctx, response, case):
    """schemathesis's positive_data_acceptance, except a 400 that only says ids are unknown
    (or that an uploaded file's content is bad)."""
    if _only_unknown_objects(case, response) or _only_a_bad_upload(case, response):
        return None
    return positive_data_acceptance(ctx, response, case)


def _has_input(operation) -> bool:
    definition = operation.definition.raw
    return bool(definition.get("parameters")) or "requestBody" in definition


@pytest.fixture
def api_schema(db):
    """The schema, and the WSGI application called as Django's test client calls it: the end
    of a request does not close the test's database connection (its transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield _load()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@functools.cache
def _load():
    """Read once for the module's tests (through the WSGI application, as a client would)."""
    return schemathesis.openapi.from_wsgi("/api/schema/", django_application)


def test_the_schema_is_read_whole(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 80
    # every operation documents its errors beside its success (config/schema.py)
    for operation in operations:
        answers = operation.definition.raw["responses"]
        assert "503" in answers, operation.label
        if not operation.path.endswith("/auth/token/"):
            assert {"401", "403"} <= set(answers), operation.label


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_answer_matches_the_schema(demo, role, api_schema):
    token = Token.objects.get_or_create(user=demo[role])[0].key
    headers = {"Authorization": f"Token {token}"}
    failures, cases = [], 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/api/v1/auth/"):  # sign-in and sign-out: tests of their own
            continue
        modes = [GenerationMode.POSITIVE]
        if _has_input(operation):  # without input nothing can break the schema
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                nonlocal cases
                cases += 1
                case.call_and_validate(
                    headers=headers,
                    excluded_checks=[positive_data_acceptance],
                    additional_checks=[valid_input_accepted_but_unknown_ids],
                )

            try:
                run()
            except (
                Exception,
                BaseExceptionGroup,
            ) as exc:  # every operation is tried, then reported
                failures.append(f"{mode.value} {operation.label}: {exc}"[:2000])
    assert cases > 100 * min(EXAMPLES, 2)
    assert not failures, f"{len(failures)} failures as {role}:\n" + "\n\n".join(failures)
