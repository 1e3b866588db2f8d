# bantin: the bot, the scheduler and the sender in one process (`bantin run`).
#   docker build -t bantin .
#   docker run --env-file bantin.env -v bantin-data:/data bantin
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    BANTIN_DATABASE_URL=sqlite+aiosqlite:////data/bantin.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY jobs ./jobs
COPY storage ./storage
COPY news ./news
RUN pip install . \
    && useradd --system --create-home --home-dir /home/bantin --shell /usr/sbin/nologin bantin \
    && mkdir -p /data /etc/bantin \
    && chown bantin:bantin /data

USER bantin
VOLUME ["/data"]
# /healthz listens on 127.0.0.1:9321 by default ([health] in the config); slim has no curl.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:9321/healthz', timeout=5).status == 200 else 1)"]
# SIGTERM stops it gracefully within 20 s (docker's default stop timeout is 10 s: use --stop-timeout 30).
STOPSIGNAL SIGTERM
ENTRYPOINT ["bantin"]
CMD ["run"]
