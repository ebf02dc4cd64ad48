FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml ./
COPY socialcare socialcare
COPY inbox inbox
COPY connectors connectors
COPY agents agents
RUN pip install --no-cache-dir .
COPY . .
ENV PYTHONUNBUFFERED=1
