# GutBone Daily: docker build -t gutbone-bot . && docker run --env-file .env -v gutbone-data:/data gutbone-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_PATH=/data/gutbone.db

RUN useradd --system --uid 10001 --home /data gutbone \
    && mkdir /data && chown gutbone /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY tips ./tips
COPY scheduler ./scheduler
COPY storage ./storage
COPY emulator ./emulator
RUN pip install --no-cache-dir . && rm -rf /app

USER gutbone
WORKDIR /data
VOLUME /data
# SIGTERM (docker stop) makes the bot finish in-flight sends and exit cleanly.
STOPSIGNAL SIGTERM
ENTRYPOINT ["gutbone-bot"]
