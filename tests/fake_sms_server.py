"""A stand-in SMS gateway for tests: an http.server on 127.0.0.1 (random port) in a thread.

It records every request (path, headers, JSON body) and answers 200 {"id": "..."}, or a chosen error status
for the first `fail_times` requests, so tests can drive the real HttpGatewayBackend through failures and
retries. Use as a context manager or through the `fake_sms` / `make_fake_sms` fixtures
(`pytest_plugins = ["tests.fake_sms_server"]`).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict
    body: dict


class FakeSmsServer:
    def __init__(self, *, fail_times: int = 0, fail_status: int = 500):
        self.fail_times = fail_times
        self.fail_status = fail_status
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_raw": raw.decode(errors="replace")}
                with server._lock:
                    server.requests.append(Received(self.path, dict(self.headers.items()), body))
                    number = len(server.requests)
                    failing = number <= server.fail_times
                status = server.fail_status if failing else 200
                answer = {"error": "gateway failure"} if failing else {"id": f"sms-{number}"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):  # keep test output quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/send"

    def start(self) -> FakeSmsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeSmsServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture
def fake_sms():
    with FakeSmsServer() as server:
        yield server


@pytest.fixture
def make_fake_sms():
    """Start more fake gateways, e.g. make_fake_sms(fail_times=1, fail_status=403); all stop after the test."""
    servers = []

    def make(**options) -> FakeSmsServer:
        servers.append(FakeSmsServer(**options).start())
        return servers[-1]

    yield make
    for server in servers:
        server.stop()
