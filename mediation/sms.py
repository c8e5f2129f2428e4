"""The SMS gateway interface and its backends; which one runs is a setting (SMS_BACKEND).

A backend sends one text to one phone number and returns the gateway's message id, or raises: the outbox
(mediation.services.outbox) catches the error and retries with backoff. The default LoggingBackend only logs,
so a fresh installation works without a gateway; HttpGatewayBackend posts to a real one.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("mediation.sms")

HTTP_TIMEOUT = 10  # seconds, for the gateway and webhooks alike


class DeliveryError(Exception):
    """A message could not be handed over (network error, refusal, non-2xx answer)."""


class BaseSmsBackend:
    def send(self, phone: str, text: str) -> str:
        """Send `text` to `phone`; return the gateway's message id. Raise on failure."""
        raise NotImplementedError


class LoggingBackend(BaseSmsBackend):
    """Writes each message to the log and succeeds: the default until a gateway is configured."""

    def send(self, phone: str, text: str) -> str:
        message_id = f"log-{uuid.uuid4().hex[:12]}"
        logger.info("SMS %s to %s: %s", message_id, phone, text)
        return message_id


class HttpGatewayBackend(BaseSmsBackend):
    """Posts {"to", "text"} as JSON with a bearer token to SMS_GATEWAY_URL; any non-2xx answer is a failure."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = HTTP_TIMEOUT):
        self.url = url if url is not None else settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.timeout = timeout

    def send(self, phone: str, text: str) -> str:
        if not self.url:
            raise DeliveryError("SMS_GATEWAY_URL is not set")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        answer = post_json(self.url, {"to": phone, "text": text}, headers=headers, timeout=self.timeout)
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            return ""
        return str(data.get("id") or data.get("message_id") or "") if isinstance(data, dict) else ""


def post_json(url: str, payload, *, headers: dict | None = None, timeout: float = HTTP_TIMEOUT) -> bytes:
    """POST `payload` as JSON; return the answer's body. Raises DeliveryError unless the answer is 2xx."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if not 200 <= response.status < 300:
                raise DeliveryError(f"HTTP {response.status} from {url}")
            return response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} from {url}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"{url} unreachable: {exc}") from exc


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
