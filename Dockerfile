# One image for every role of the production stack (see docker-compose.yml): web (gunicorn), worker,
# beat and the one-shot migrate service differ only in their command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=dadukou.settings \
    MEDIA_ROOT=/srv/media \
    STATIC_ROOT=/srv/static \
    VAR_DIR=/srv/var

# An unprivileged user owns only the directories the processes write to (named volumes copy this ownership).
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home app \
    && mkdir -p /app /srv/media /srv/static /srv/var \
    && chown app:app /srv/media /srv/static /srv/var

WORKDIR /app

# Dependencies first, pinned by the lock file, so a code change does not reinstall them.
# All dependencies ship wheels (psycopg2-binary included), so no compiler or libpq is needed.
COPY pyproject.toml README.md requirements.lock ./
RUN pip install --constraint requirements.lock .

# The code runs from /app (pyproject declares no installable packages); translations (.mo) are committed.
COPY --chown=root:root . .

USER app
EXPOSE 8000
CMD ["gunicorn", "dadukou.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "60", "--access-logfile", "-"]
