# AIMS image: web (gunicorn), Celery worker and beat all run from it; see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders PDF reports with pango and harfbuzz (subset, or every import warns) and needs a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them. With no
# package folders copied yet, `pip install .` installs the dependencies and an empty `aims` dist;
# the code itself runs from /app (PYTHONPATH), where settings find templates/ and static/.
COPY pyproject.toml ./
RUN pip install .

COPY . .
ENV PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=aims.settings.production \
    AIMS_VAR_DIR=/data \
    STATIC_ROOT=/app/staticfiles

# The key only lets settings load for collectstatic; the real one comes from the environment at run time.
RUN SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --create-home --uid 1000 aims \
    && mkdir -p /data \
    && chown aims:aims /data

USER aims
# /data: uploaded evidence and generated reports (PRIVATE_MEDIA_ROOT) and beat's schedule file.
VOLUME ["/data"]
EXPOSE 8000

CMD ["gunicorn", "aims.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "1", \
     "--worker-class", "gthread", "--access-logfile", "-"]
