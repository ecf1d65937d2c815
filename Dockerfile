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

# Static files are baked into the image (WhiteNoise serves them where no proxy does;
# the compose stack's collectstatic copies them, hashed, to the volume nginx serves). Production settings
# demand their secrets, so collectstatic gets throwaway values that never reach a container.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time-only-this-is-not-a-real-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/private \
    && chown -R shop:shop /app/media /app/private /app/staticfiles

USER shop

EXPOSE 8000

# gunicorn.conf.py holds gunicorn's workers, threads and request limits (from the
# environment: WEB_CONCURRENCY, GUNICORN_THREADS, ...) and its own error answers;
# GUNICORN_CMD_ARGS (read by gunicorn itself) adds options, e.g. "--access-logfile -".
# With PROMETHEUS_MULTIPROC_DIR set (docker-compose.yml sets it for web only), the
# request metrics of all workers are gathered there; gunicorn.conf.py empties it at start.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "shop.wsgi:application", "--bind", "0.0.0.0:8000"]
