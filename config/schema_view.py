"""GET /api/schema/: the OpenAPI schema, generated once per process for each language and API
version instead of at every request. drf-spectacular walks every view and serializer (about
0.6 s), then the answer is written out as YAML or JSON (about 0.3 s more): every client that
read the schema used to pay both.

The public schema (SERVE_PUBLIC, the default) depends on the code alone, not on the person
asking or on the data, so one copy per (language, API version) serves everyone, and each copy
is written out once per format. A schema that is not public is filtered by the asker's
permissions: it is generated at every request, as drf-spectacular does. A change of settings
(tests) forgets every copy.
"""

import threading

from django.core.signals import setting_changed
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

_schemas: dict[tuple, dict] = {}  # (view, language, version, ...) -> the schema
_rendered: dict[tuple, bytes] = {}  # (id of a schema in _schemas, renderer) -> bytes
_lock = threading.Lock()


def _forget(**kwargs) -> None:
    with _lock:
        _schemas.clear()
        _rendered.clear()


setting_changed.connect(_forget)


def _remembering(renderer_class):
    """The renderer, writing out each remembered schema once (when asked without parameters)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        plain = accepted_media_type in (None, self.media_type)  # no parameters (`indent=`)
        if not plain or not any(schema is data for schema in list(_schemas.values())):
            return renderer_class.render(self, data, accepted_media_type, renderer_context)
        key = (id(data), renderer_class)
        content = _rendered.get(key)
        if content is None:
            content = renderer_class.render(self, data, accepted_media_type, renderer_context)
            _rendered[key] = content
        return content

    return type(renderer_class.__name__, (renderer_class,), {"render": render})


class SchemaView(SpectacularAPIView):
    renderer_classes = [_remembering(r) for r in SpectacularAPIView.renderer_classes]

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        if self.serve_public:
            key = (
                type(self),
                self.generator_class,
                repr(self.urlconf),
                id(self.patterns),
                repr(self.custom_settings),
                translation.get_language(),
                version,
            )
            with _lock:  # one generation at a time: a second asker waits for the first's copy
                data = _schemas.get(key)
                if data is None:
                    data = _schemas[key] = self._generate(request, version)
        else:
            data = self._generate(request, version)
        filename = self._get_filename(request, version)
        return Response(
            data=data, headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )

    def _generate(self, request, version) -> dict:
        generator = self.generator_class(
            urlconf=self.urlconf, api_version=version, patterns=self.patterns
        )
        return generator.get_schema(request=request, public=self.serve_public)
