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
RUN pip install . && useradd --system --uid 10001 --home-dir /data mutualaid \
    && mkdir -p /data && chown mutualaid /data

USER mutualaid
VOLUME ["/data"]
WORKDIR /data
CMD ["mutualaid", "run"]
