FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=matrix_portal.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 gettext fonts-dejavu-core fonts-droid-fallback fonts-noto-cjk curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 matrix
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only-secret-key-for-collectstatic-000000000000000000 \
    python manage.py collectstatic --noinput -v 0 && python manage.py compilemessages -v 0 --ignore=.venv \
    && mkdir -p /srv/matrix/private && chown -R matrix /srv/matrix
USER matrix
EXPOSE 8000
CMD ["gunicorn", "matrix_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
