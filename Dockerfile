# One image for both compose services; the command picks the part to serve.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY mock_idp ./mock_idp
COPY mock_api ./mock_api
COPY pytest_plugin ./pytest_plugin
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --no-create-home tnmock

USER tnmock
EXPOSE 8080 8081
CMD ["tn-mock", "serve", "--host", "0.0.0.0"]
