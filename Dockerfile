# One image for every process of the shop: web (gunicorn), Celery worker, Celery beat
# and the one-off migrate job. docker-compose.yml shows how they are wired.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=shop.settings.production

WORKDIR /app

RUN groupadd --system shop \
    && useradd --system --gid shop --home-dir /app --no-create-home --shell /usr/sbin/nologin shop

# A CJK TrueType font for the statement PDFs to embed (partners/settlements/pdf_pages.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, pinned by constraints.txt, so code changes reuse this layer.
# The shop runs from /app, so only its dependencies are installed, not the project itself.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(deps))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt -c constraints.txt \
    && rm /tmp/requirements.txt

COPY . .

# Static files are baked into the image and served by WhiteNoise. Production settings
# demand their secrets, so collectstatic gets throwaway values that never reach a container.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time-only-this-is-not-a-real-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown shop:shop /app/media

USER shop

EXPOSE 8000

# gunicorn.conf.py holds gunicorn's request limits and its own error answers;
# GUNICORN_CMD_ARGS (read by gunicorn itself) adds options, e.g. "--timeout 30 --access-logfile -".
# Request metrics of all gunicorn workers are gathered in one directory, emptied at start
# (web only: worker and beat run other commands and keep their counts in Redis).
CMD ["sh", "-c", "rm -rf /tmp/prometheus && mkdir -p /tmp/prometheus && PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus exec gunicorn --config gunicorn.conf.py shop.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3}"]
