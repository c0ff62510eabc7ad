# Mutual Aid Bot: slim image, non-root, the database on a volume.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MUTUALAID_DATABASE=/data/mutualaid.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY storage ./storage
COPY handlers ./handlers
COPY bot ./bot
COPY web ./web
RUN pip install . && useradd --system --uid 10001 --home-dir /data mutualaid \
    && mkdir -p /data && chown mutualaid /data

USER mutualaid
VOLUME ["/data"]
# The dashboard (and webhook) server; set MUTUALAID_WEB_HOST=0.0.0.0 to listen beyond the
# container, and publish it with `-p 8080:8080`.
EXPOSE 8080
WORKDIR /data
CMD ["mutualaid", "run"]
