"""A fake Africa's Talking HTTP API on loopback, built from ../shared/reference/africastalking.md.

Scripts are consumed in order. A request that no script expects is answered 599 and recorded;
`assert_satisfied()` (called by the fixture) fails the test on it, and on any unused script.

    fake_at.expect_send(statuses=[101])                  # one recipient accepted
    fake_at.expect_send(http_status=401, body="The supplied authentication is invalid",
                        content_type="text/plain")
    fake_at.accept_all(delay=0.001)                      # answer every send with 101s
    fake_at.expect("POST", SEND_PATH, lambda r: None)    # take the request, then hang up
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

SEND_PATH = "/version1/messaging"
STATUS_NAMES = {
    100: "Processed",
    101: "Success",
    102: "Queued",
    401: "RiskHold",
    402: "InvalidSenderId",
    403: "InvalidPhoneNumber",
    404: "UnsupportedNumberType",
    405: "InsufficientBalance",
    406: "UserInBlacklist",
    407: "CouldNotRoute",
    409: "DoNotDisturbRejection",
    500: "InternalServerError",
    501: "GatewayError",
    502: "RejectedByGateway",
}
ACCEPTED = (100, 101, 102)


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    form: dict
    at: float = field(default_factory=time.time)

    @property
    def recipients(self) -> list[str]:
        return self.form.get("to", "").split(",") if self.form.get("to") else []


@dataclass
class Script:
    method: str
    path: str
    respond: object  # callable(Request) -> (status, content_type, body)
    delay: float = 0.0
    times: int | None = 1  # None: any number of times
    used: int = field(default=0)


class FakeAfricasTalking:
    def __init__(self, port: int = 0):
        self.requests: list[Request] = []
        self.unexpected: list[Request] = []
        self._scripts: list[Script] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # scripting -----------------------------------------------------------------------------

    def expect(self, method, path, respond, *, delay=0.0, times=1) -> None:
        with self._lock:
            self._scripts.append(Script(method, path, respond, delay, times))

    def expect_send(
        self, statuses=None, *, http_status=201, body=None, content_type="application/json", delay=0.0, times=1
    ) -> None:
        """One send request: per-recipient `statuses` (cycled), or a raw whole-request answer."""
        if body is not None:
            raw = body if isinstance(body, str) else json.dumps(body)
            self.expect("POST", SEND_PATH, lambda _r: (http_status, content_type, raw), delay=delay, times=times)
            return
        codes = statuses or [101]
        self.expect(
            "POST",
            SEND_PATH,
            lambda r: (http_status, content_type, json.dumps(self.send_response(r, codes))),
            delay=delay,
            times=times,
        )

    def accept_all(self, delay=0.0) -> None:
        self.expect_send([101], delay=delay, times=None)

    def send_response(self, request: Request, codes) -> dict:
        recipients = []
        for number, code in zip(request.recipients, itertools.cycle(codes)):
            accepted = code in ACCEPTED
            recipients.append(
                {
                    "statusCode": code,
                    "number": number,
                    "status": STATUS_NAMES.get(code, "Unknown"),
                    "cost": "KES 0.8000" if accepted else "0",
                    "messageId": f"ATXid_{next(self._ids):032x}" if accepted else "None",
                }
            )
        sent = sum(1 for r in recipients if r["statusCode"] in ACCEPTED)
        return {
            "SMSMessageData": {
                "Message": f"Sent to {sent}/{len(recipients)} Total Cost: KES {0.8 * sent:.4f}",
                "Recipients": recipients,
            }
        }

    # checking ------------------------------------------------------------------------------

    def sends(self) -> list[Request]:
        return [r for r in self.requests if r.path == SEND_PATH]

    def unused_scripts(self) -> list[Script]:
        return [s for s in self._scripts if s.times is not None and s.used < s.times]

    def assert_satisfied(self) -> None:
        problems = [f"unexpected {r.method} {r.path}" for r in self.unexpected]
        problems += [f"unused script {s.method} {s.path} ({s.used}/{s.times})" for s in self.unused_scripts()]
        assert not problems, "fake Africa's Talking: " + "; ".join(problems)

    # serving -------------------------------------------------------------------------------

    def _next_script(self, request: Request) -> Script | None:
        with self._lock:
            self.requests.append(request)
            for script in self._scripts:
                if (script.method, script.path) == (request.method, request.path) and (
                    script.times is None or script.used < script.times
                ):
                    script.used += 1
                    return script
            self.unexpected.append(request)
            return None

    def _handler(fake):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                self._serve()

            def do_GET(self):
                self._serve()

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                request = Request(self.command, self.path.split("?")[0], dict(self.headers), form)
                script = fake._next_script(request)
                if script is None:
                    status, content_type, body = 599, "text/plain", "unexpected request"
                else:
                    if script.delay:
                        time.sleep(script.delay)  # simulated network latency of the API
                    answer = script.respond(request)
                    if answer is None:  # hang up with the request taken and no answer
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    status, content_type, body = answer
                data = body.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    self.close_connection = True

        return Handler


def serve_fast(port: int, delay: float, record: str | None) -> None:
    """The same answers as `accept_all`, from a lean asyncio server (keep-alive, no thread per
    connection), so a benchmark's fake leaves the machine's cores to the code measured."""
    import asyncio
    import signal

    fake = FakeAfricasTalking.__new__(FakeAfricasTalking)  # only its answer-building is used
    fake._ids, fake._lock = itertools.count(1), threading.Lock()
    calls: list[tuple[float, int]] = []

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
                length = int(headers.get("Content-Length", headers.get("content-length", "0")))
                body = (await reader.readexactly(length)).decode() if length else ""
                form = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}
                request = Request(method, path.split("?")[0], headers, form)
                calls.append((request.at, len(request.recipients)))
                if delay:
                    await asyncio.sleep(delay)
                if request.path == SEND_PATH:
                    status, data = 201, json.dumps(fake.send_response(request, [101])).encode()
                else:
                    status, data = 599, b"unexpected request"
                writer.write(
                    b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                    % (status, len(data))
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.CancelledError, ConnectionError):
            pass
        finally:
            writer.close()

    async def run():
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        print("ready", flush=True)
        async with server:
            await stop.wait()

    asyncio.run(run())
    if record:
        with open(record, "w") as out:
            json.dump(calls, out)


def main() -> None:
    """`python -m tests.support.fake_at --port N --delay S --record FILE`: accept every send,
    answering after S seconds; on SIGTERM write each request's time and recipient count."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--record")
    args = parser.parse_args()
    serve_fast(args.port, args.delay, args.record)


if __name__ == "__main__":
    main()
