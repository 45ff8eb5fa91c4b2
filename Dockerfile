# GutBone Daily: docker build -t gutbone-bot . && docker run --env-file .env -v gutbone-data:/data gutbone-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_PATH=/data/gutbone.db

# A numeric uid:gid, so the runtime (and Kubernetes' runAsNonRoot) knows it is not root.
RUN groupadd --system --gid 10001 gutbone \
    && useradd --system --uid 10001 --gid gutbone --home /data gutbone \
    && mkdir /data && chown gutbone:gutbone /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY tips ./tips
COPY scheduler ./scheduler
COPY storage ./storage
COPY emulator ./emulator
RUN pip install --no-cache-dir . && rm -rf /app

USER 10001:10001
WORKDIR /data
VOLUME /data
# Healthy while the process holding the delivery lease has swept recently; the start period
# covers start-up waiting for Telegram. `docker inspect` shows the one-line reason when not.
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 \
    CMD ["gutbone-bot", "health"]
# SIGTERM (docker stop) makes the bot finish in-flight sends and exit cleanly.
STOPSIGNAL SIGTERM
ENTRYPOINT ["gutbone-bot"]
