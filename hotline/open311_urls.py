"""Open311 GeoReport v2 under /open311/v2/ (hotline/open311.py): every resource in `.json`
and `.xml`, the format being the extension (`format` kwarg; any other answers 404)."""

from django.urls import re_path

from . import open311

app_name = "open311"

FORMAT = r"\.(?P<format>[^/.]+)$"

urlpatterns = [
    re_path(r"^discovery" + FORMAT, open311.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, open311.services, name="services"),
    re_path(
        r"^services/(?P<service_code>[^/]+)" + FORMAT,
        open311.service_definition,
        name="service-definition",
    ),
    re_path(r"^requests" + FORMAT, open311.requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+)" + FORMAT,
        open311.service_request,
        name="request",
    ),
    re_path(r"^tokens/(?P<token>[^/]+)" + FORMAT, open311.token, name="token"),
]
