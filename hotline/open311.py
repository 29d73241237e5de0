"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) for the 12345 requests.

Public endpoints under `/open311/v2/`, each in `.json` and `.xml`: discovery, services, a
service's definition, requests (GET the list, POST a new one with an API key), one request, a
token. Errors answer in the specification's format (a list of `code` and `description`) with
that HTTP status. The answers never hold the citizen's name, phone or email.

Choices of this implementation (within the specification):
- `jurisdiction_id` may be absent, empty or `beijing`; any other value answers 404.
- `service_request_id` is the request's number (the one the 12345 centre gives citizens).
- POST takes form-encoded bodies (as the specification says) and JSON objects; it needs a
  `description` (the 12345 centre does not take a request without one) and a location
  (`lat` and `long`, `address_string` or `address_id`). `media_url`, `device_id`,
  `account_id` and `attribute[...]` are accepted and not stored; an `address_id` without an
  `address_string` is kept as the address text. It answers 201 with the request's number and
  a token (`tokens/{token}`).
- GET `requests`: without dates, the last 90 days; a range over 90 days answers 400; at most
  1000 requests, newest first. A date without a time is a day of Beijing time (the whole day
  for `end_date`); a datetime without an offset is Beijing time.
- `agency_responsible` is the street handling the request, or `12345` while the 12345 centre
  holds it (awaiting dispatch, or returned by the street); `status_notes` is the street's reply
  (replied, closed) or its reason for returning the request (returned).
- The texts of the answers are in English (Open311 is read by machines); service names and
  groups are the categories' own (Chinese).
"""

import json
import re
import secrets
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import wraps

from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from core.periods import BEIJING

from .choices import OPEN_STATUSES, Channel, DeadlineKind, RequestStatus
from .models import CallBack, Open311Key, RequestCategory, RequestDeadline, ServiceRequest
from .services import take_request

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00+08:00"
JURISDICTIONS = ("", "beijing")
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
MAX_RESULTS = 1000  # the most requests a GET answers (the specification's default limit)
DEFAULT_DAYS = 90  # without dates, the requests of the last 90 days
MAX_DAYS = 90  # the longest date range a GET may ask for
HOLDER = "12345"  # agency_responsible while the 12345 centre holds the request

# The longest values POST accepts (the model's, or the specification's for the description).
LIMITS = {
    "api_key": 64,
    "service_code": 40,
    "jurisdiction_id": 40,
    "lat": 40,
    "long": 40,
    "address_string": 200,
    "address_id": 100,
    "description": 4000,
    "email": 254,
    "first_name": 60,
    "last_name": 60,
    "phone": 30,
    "media_url": 2000,
    "device_id": 200,
    "account_id": 200,
}

# The XML element of each item of a list, by the list's element.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
}

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
_REQUEST_ID = re.compile(r"\d{1,24}", re.ASCII)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,40}", re.ASCII)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_UNSAFE = re.compile("[\x00\ud800-\udfff]")  # refused in any input (the database refuses them)
# Characters XML 1.0 cannot hold: dropped from the XML answers.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CJK = re.compile("[\u3400-\u9fff]")


class Open311Error(Exception):
    """An answer in the specification's error format: `errors` is a list of descriptions."""

    def __init__(self, status: int, *errors: str):
        super().__init__(status, errors)
        self.status = status
        self.errors = list(errors)


# --- rendering -------------------------------------------------------------------------------


def _scalar(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return _when(value)
    return value


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return _scalar(value)


def _xml_text(value) -> str:
    value = _scalar(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _xml_element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_xml_element(key, child))
    elif isinstance(value, list):
        for child in value:
            element.append(_xml_element(ITEMS[tag], child))
    else:
        text = _xml_text(value)
        if text:
            element.text = text
    return element


def render(data, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """`data` in JSON, or in XML under the element `root` (lists: one child per item)."""
    if fmt == "xml":
        body = ET.tostring(_xml_element(root, data), encoding="utf-8", xml_declaration=True)
    else:
        text = json.dumps(_jsonable(data), ensure_ascii=False, allow_nan=False)
        body = text.encode("utf-8", "replace")
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Content-Language"] = "en"
    return response


def error_response(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    errors = [{"code": status, "description": d} for d in descriptions]
    return render(errors, fmt, "errors", status=status)


# --- the views' common part ----------------------------------------------------------------------


def _endpoint(*methods):
    """A public Open311 view: the format (`json`, `xml`; else 404), the method (else 405), the
    jurisdiction (else 404), errors in the specification's format, English texts."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view):
        @wraps(view)
        def wrapper(request, format, **kwargs):
            fmt = format.lower()
            if fmt not in CONTENT_TYPES:
                return error_response(
                    "json", 404, f"Unknown format “{format[:20]}”: use json or xml."
                )
            if request.method not in allowed:
                response = error_response(fmt, 405, f"Method {request.method[:10]} not allowed.")
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                with translation.override("en"):
                    return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc.status, *exc.errors)
            except (SuspiciousOperation, MultiPartParserError):  # too big, too many fields
                return error_response(fmt, 400, "The request could not be read.")

        return wrapper

    return decorate


def _text(params: dict, name: str) -> str:
    """A parameter, stripped ("" when absent); 400 when it holds what no field may hold."""
    value = params.get(name)
    if value is None:
        return ""
    value = value.strip()
    if _UNSAFE.search(value):
        raise Open311Error(400, f"{name} contains characters that are not allowed.")
    limit = LIMITS.get(name, 1000)
    if len(value) > limit:
        raise Open311Error(400, f"{name} is longer than {limit} characters.")
    return value


def _check_jurisdiction(params: dict) -> None:
    value = params.get("jurisdiction_id")
    value = "" if value is None else value.strip()
    if value not in JURISDICTIONS:
        raise Open311Error(404, "jurisdiction_id is unknown: this endpoint serves beijing.")


def _query(request) -> dict:
    return {key: request.GET.get(key) for key in request.GET}


def _body(request) -> dict:
    """The POST body as text parameters: form-encoded (or multipart), or a JSON object whose
    values are strings or numbers (`attribute` and `attribute[...]` are ignored)."""
    if request.content_type in ("application/json", "text/json") or request.content_type.endswith(
        "+json"
    ):
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError):
            raise Open311Error(400, "The JSON body could not be read.") from None
        if not isinstance(data, dict):
            raise Open311Error(400, "The JSON body must be an object of parameters.")
        params = {}
        for key, value in data.items():
            if key == "attribute" or key.startswith("attribute["):
                continue
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise Open311Error(400, f"{key[:40]} must be a string or a number.")
            try:
                params[key] = str(value)
            except ValueError:  # an integer too long to write
                raise Open311Error(400, f"{key[:40]} is not a valid value.") from None
        return params
    return {key: request.POST.get(key) for key in request.POST}


# --- values ---------------------------------------------------------------------------------------


def _when(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment, BEIJING).isoformat(timespec="seconds")


def _coordinate(value: str, name: str, limit: int) -> Decimal:
    if not _NUMBER.fullmatch(value):
        raise Open311Error(400, f"{name} must be a number.")
    number = Decimal(value)
    if not -limit <= number <= limit:
        raise Open311Error(400, f"{name} must be between -{limit} and {limit}.")
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _moment(value: str, name: str, end: bool = False) -> datetime:
    """A W3C/ISO datetime (without an offset: Beijing time), or a day (its start, or its end
    for `end_date`), in UTC."""
    problem = f"{name} must be a W3C datetime, e.g. 2026-01-31T08:00:00+08:00."
    if len(value) > 64:
        raise Open311Error(400, problem)
    try:
        if _DAY.fullmatch(value):
            moment = datetime.combine(
                date.fromisoformat(value), time.max if end else time.min, tzinfo=BEIJING
            )
        else:
            moment = parse_datetime(value)
            if moment is None:
                raise ValueError(value)
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=BEIJING)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise Open311Error(400, problem) from None


def _notice(category: RequestCategory) -> str:
    return (
        "Received by the Beijing 12345 centre, which dispatches it to the street responsible; "
        f"the street answers within {category.response_hours} hours and replies within "
        f"{category.resolution_hours} hours of the dispatch."
    )


# --- discovery and services ---------------------------------------------------------------------


@_endpoint("GET")
def discovery(request, fmt):
    base = reverse("open311:discovery", kwargs={"format": "json"}).rsplit("/", 1)[0] + "/"
    data = {
        "changeset": CHANGESET,
        "contact": "Beijing 12345 citizen service hotline: call 12345.",
        "key_service": "API keys are issued by the Beijing 12345 centre: ask its administrators.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(base),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(data, fmt, "discovery")


def _service(category: RequestCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.name,
        "metadata": False,  # no category has attributes
        "type": "realtime",
        "keywords": ", ".join(k for k in (category.name, category.group) if k),
        "group": category.group,
    }


@_endpoint("GET")
def services(request, fmt):
    _check_jurisdiction(_query(request))
    categories = RequestCategory.objects.filter(active=True).order_by("id")
    return render([_service(c) for c in categories], fmt, "services")


def _active_category(code: str) -> RequestCategory | None:
    if not code or len(code) > LIMITS["service_code"] or _UNSAFE.search(code):
        return None
    return RequestCategory.objects.filter(code=code, active=True).first()


@_endpoint("GET")
def service_definition(request, fmt, service_code):
    _check_jurisdiction(_query(request))
    category = _active_category(service_code)
    if category is None:
        raise Open311Error(404, "service_code is unknown.")
    return render({"service_code": category.code, "attributes": []}, fmt, "service_definition")


# --- requests -------------------------------------------------------------------------------------


def _requests():
    """The requests with what the answer shows, in one query whatever their number."""
    resolution = RequestDeadline.objects.filter(
        request=OuterRef("pk"), kind=DeadlineKind.RESOLUTION, cancelled_at=None
    ).order_by("-deadline", "-id")
    callback = CallBack.objects.filter(request=OuterRef("pk")).order_by("-called_at", "-id")
    # Only the requests that came in through Open311 are public here: those taken by phone
    # carry what citizens told an operator, which the 12345 centre does not publish.
    return (
        ServiceRequest.objects.filter(channel=Channel.OPEN311)
        .select_related("category", "street")
        .only(
            "number",
            "category",
            "street",
            "category__code",
            "category__name",
            "category__response_hours",
            "category__resolution_hours",
            "street__name",
            "status",
            "description",
            "address",
            "latitude",
            "longitude",
            "received_at",
            "dispatched_at",
            "accepted_at",
            "contacted_at",
            "replied_at",
            "reply",
            "returned_at",
            "return_reason",
            "closed_at",
        )
        .annotate(
            expected_at=Subquery(resolution.values("deadline")[:1]),
            called_back_at=Subquery(callback.values("called_at")[:1]),
        )
        .order_by("-received_at", "-id")
    )


def _row(r: ServiceRequest) -> dict:
    """A request as the specification shows it: never the citizen's name, phone or email."""
    if r.status in (RequestStatus.REPLIED, RequestStatus.CLOSED):
        notes = r.reply
    elif r.status == RequestStatus.RETURNED:  # the street's reason is for the 12345 centre
        notes = "Returned to the 12345 centre for re-dispatch."
    else:
        notes = ""
    held = r.street_id is None or r.status in (RequestStatus.NEW, RequestStatus.RETURNED)
    moments = [
        m
        for m in (
            r.received_at,
            r.dispatched_at,
            r.accepted_at,
            r.contacted_at,
            r.replied_at,
            r.returned_at,
            r.closed_at,
            r.called_back_at,
        )
        if m is not None
    ]
    return {
        "service_request_id": r.number,
        "status": "open" if r.status in OPEN_STATUSES else "closed",
        "status_notes": notes or None,
        "service_name": r.category.name,
        "service_code": r.category.code,
        "description": r.description,
        "agency_responsible": HOLDER if held else r.street.name,
        "service_notice": _notice(r.category),
        "requested_datetime": _when(r.received_at),
        "updated_datetime": _when(max(moments)),
        "expected_datetime": _when(r.expected_at),
        "address": r.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": r.latitude,
        "long": r.longitude,
        "media_url": None,
    }


def _split(value: str) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))


def _list(request, fmt):
    params = _query(request)
    _check_jurisdiction(params)
    for name in params:
        if params[name] and _UNSAFE.search(params[name]):
            raise Open311Error(400, f"{name[:40]} contains characters that are not allowed.")
    queryset = _requests()
    ids = _split(params.get("service_request_id") or "")
    if ids:  # the specification: other parameters are then ignored
        if len(ids) > MAX_RESULTS or not all(_REQUEST_ID.fullmatch(i) for i in ids):
            raise Open311Error(
                400, "service_request_id must be request numbers separated by commas."
            )
        rows = queryset.filter(number__in=ids)[:MAX_RESULTS]
        return render([_row(r) for r in rows], fmt, "service_requests")
    errors = []
    codes = _split(params.get("service_code") or "")
    if codes:
        known = set(RequestCategory.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors.append(f"service_code is unknown: {', '.join(unknown)[:200]}.")
        queryset = queryset.filter(category__code__in=codes)
    statuses = [s.lower() for s in _split(params.get("status") or "")]
    if statuses:
        if not set(statuses) <= {"open", "closed"}:
            errors.append("status must be open or closed (or both, separated by a comma).")
        elif set(statuses) == {"open"}:
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        elif set(statuses) == {"closed"}:
            queryset = queryset.exclude(status__in=OPEN_STATUSES)
    start = end = None
    for name in ("start_date", "end_date"):
        value = (params.get(name) or "").strip()
        if value:
            try:
                moment = _moment(value, name, end=name == "end_date")
            except Open311Error as exc:
                errors.extend(exc.errors)
                continue
            if name == "start_date":
                start = moment
            else:
                end = moment
    if errors:
        raise Open311Error(400, *errors)
    window = timedelta(days=MAX_DAYS)
    try:
        if start is None and end is None:
            end = timezone.now()
            start = end - timedelta(days=DEFAULT_DAYS)
        elif start is None:
            start = end - window
        elif end is None:
            end = start + window
    except OverflowError:
        raise Open311Error(400, "start_date and end_date must be real dates.") from None
    if end < start:
        raise Open311Error(400, "end_date must come after start_date.")
    if end - start > window:
        raise Open311Error(400, f"start_date and end_date may be at most {MAX_DAYS} days apart.")
    rows = queryset.filter(received_at__gte=start, received_at__lte=end)[:MAX_RESULTS]
    return render([_row(r) for r in rows], fmt, "service_requests")


def _create(request, fmt):
    params = _body(request)
    _check_jurisdiction(params if params.get("jurisdiction_id") is not None else _query(request))
    key = params.get("api_key") or ""
    if (
        not key.strip()
        or len(key) > LIMITS["api_key"]
        or _UNSAFE.search(key)
        or not Open311Key.objects.filter(key=key.strip(), active=True).exists()
    ):
        raise Open311Error(403, "api_key was not provided or is not valid.")
    errors = []

    def text(name):
        try:
            return _text(params, name)
        except Open311Error as exc:
            errors.extend(exc.errors)
            return ""

    values = {name: text(name) for name in LIMITS if name not in ("api_key", "jurisdiction_id")}
    category = None
    if not values["service_code"]:
        errors.append("service_code was not provided.")
    else:
        category = _active_category(values["service_code"])
        if category is None:
            errors.append("service_code is unknown.")
    latitude = longitude = None
    lat, long = values["lat"], values["long"]
    if lat or long:
        if not lat:
            errors.append("lat was not provided: give lat and long together.")
        if not long:
            errors.append("long was not provided: give lat and long together.")
        for name, value, limit in (("lat", lat, 90), ("long", long, 180)):
            if value:
                try:
                    number = _coordinate(value, name, limit)
                except Open311Error as exc:
                    errors.extend(exc.errors)
                else:
                    if name == "lat":
                        latitude = number
                    else:
                        longitude = number
    elif not values["address_string"] and not values["address_id"]:
        errors.append("lat and long, address_string or address_id: a location is required.")
    if not values["description"]:
        errors.append("description was not provided.")
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors.append("email is not a valid email address.")
    first, last = values["first_name"], values["last_name"]
    if _CJK.search(first + last):
        name = f"{last}{first}"  # a Chinese name: the family name first, no space
    else:
        name = " ".join(n for n in (first, last) if n)
    if len(name) > 60:
        errors.append("first_name and last_name are longer than 60 characters together.")
    if errors:
        raise Open311Error(400, *errors)
    address = values["address_string"]
    if not address and values["address_id"]:
        address = f"address_id {values['address_id']}"[:200]
    token = secrets.token_urlsafe(24)
    try:
        created = take_request(
            None,
            channel=Channel.OPEN311,
            category=category,
            description=values["description"],
            address=address,
            latitude=latitude,
            longitude=longitude,
            citizen_name=name,
            citizen_phone=values["phone"],
            citizen_email=values["email"],
            open311_token=token,
        )
    except ValidationError as exc:
        fields = {"category": "service_code", "citizen_phone": "phone", "citizen_email": "email"}
        if hasattr(exc, "error_dict"):
            raise Open311Error(
                400,
                *(
                    f"{fields.get(field, field)}: {message}"
                    for field, messages in exc.message_dict.items()
                    for message in messages
                ),
            ) from None
        raise Open311Error(400, *exc.messages) from None
    answer = {
        "service_request_id": created.number,
        "service_notice": _notice(category),
        "account_id": None,
        "token": token,
    }
    return render([answer], fmt, "service_requests", status=201)


@csrf_exempt
@_endpoint("GET", "POST")
def requests(request, fmt):
    """GET: the requests (filters of the specification); POST: a new request (an API key)."""
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


@_endpoint("GET")
def service_request(request, fmt, service_request_id):
    _check_jurisdiction(_query(request))
    found = None
    if _REQUEST_ID.fullmatch(service_request_id):
        found = _requests().filter(number=service_request_id).first()
    if found is None:
        raise Open311Error(404, "service_request_id is unknown.")
    return render([_row(found)], fmt, "service_requests")


@_endpoint("GET")
def token(request, fmt, token):
    _check_jurisdiction(_query(request))
    found = None
    if _TOKEN.fullmatch(token):
        found = (
            ServiceRequest.objects.filter(open311_token=token)
            .exclude(open311_token="")
            .only("number", "open311_token")
            .first()
        )
    if found is None:
        raise Open311Error(404, "token is unknown.")
    return render(
        [{"service_request_id": found.number, "token": found.open311_token}],
        fmt,
        "service_requests",
    )
