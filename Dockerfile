# syntax=docker/dockerfile:1
# The portal's image: gunicorn (web), celery worker and celery beat all run from it
# (docker-compose.yml). No secret is baked in: every one comes from the env file at run time.

# --- Front-end assets: Node exists only in this stage -------------------------------------
FROM node:22-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
# Exactly the versions in package-lock.json (Bootstrap, htmx, Chart.js); collectstatic serves
# them from node_modules, so no page ever loads from a CDN.
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- Runtime ------------------------------------------------------------------------------
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# A fixed uid so volume ownership is the same on every host.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app
# Every version pinned (transitive included) in requirements/base.txt; the wheels need no
# compiler, so the image carries no build tools.
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-deps -r requirements/base.txt && pip check

# The code stays root-owned: the app user can read it but not change it. It writes only to
# staticfiles (collectstatic at start), var/media (the uploads volume) and var/audit-anchor
# (the worker's audit checkpoints volume, which takes this directory's owner when created).
COPY . .
COPY --from=assets /build/node_modules ./node_modules
RUN chmod -R a+rX,go-w /app \
    && mkdir -p staticfiles var/media var/audit-anchor && chmod 700 var/audit-anchor \
    && chown -R app:app staticfiles var

USER app
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "config.wsgi"]
