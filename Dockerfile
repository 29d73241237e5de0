# One image for every process of the platform; docker-compose.yml picks the command:
#   web     gunicorn config.wsgi -b 0.0.0.0:8000 -w 3   (the default CMD)
#   worker  celery -A config worker
#   beat    celery -A config beat
#   migrate python manage.py migrate --noinput
# Configuration comes from the environment at run time (docs/configuration.md).
FROM python:3.12-slim

ARG UV_VERSION=0.13.9

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    VAR_DIR=/app/var \
    PATH=/app/.venv/bin:$PATH

RUN pip install --no-cache-dir "uv==${UV_VERSION}"

WORKDIR /app

# The dependencies first, so this layer is rebuilt only when the lock file changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --no-cache --python /usr/local/bin/python3

COPY . .

# Static files are collected once, here (hashed and compressed, DEBUG=0). The key only lets the
# settings load; the real one comes from the environment at run time. VAR_DIR stays /app/var at
# run time: STATIC_ROOT is under it, and media is a volume at /app/var/media.
RUN SECRET_KEY=build-only-throwaway-key-never-used-at-run-time-0123456789abcdef \
        DEBUG=0 python manage.py collectstatic --noinput \
    && rm -rf /app/var/celery /app/var/cache \
    && useradd --system --uid 1000 --no-create-home --home-dir /app app \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "-b", "0.0.0.0:8000", "-w", "3", "--access-logfile", "-"]
