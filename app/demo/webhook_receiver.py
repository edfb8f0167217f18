"""The demo's webhook receiver: ``python -m app.demo.webhook_receiver whsec_… [port]``
listens on ``http://127.0.0.1:8765/concord-webhook`` (where ``flask seed-demo`` registers
the demo bank's endpoint, :mod:`app.demo.webhooks`), checks each delivery as a creditor's
system must (the Standard Webhooks signature, a timestamp within five minutes) and prints
the event. It answers 204 to a delivery it accepts and 401 to one it does not, which
Concord then tries again; its record is on /creditor/webhooks/."""

from __future__ import annotations

import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.rules.webhooks import signature

DEFAULT_PORT = 8765
PATH = "/concord-webhook"
TOLERANCE_SECONDS = 5 * 60


def accepted(secret: str, headers: Any, body: bytes) -> bool:
    """The delivery is signed with ``secret`` and recent (an old one replayed is not)."""
    message_id = headers.get("webhook-id") or ""
    stamp = headers.get("webhook-timestamp") or ""
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, message_id, int(stamp), body.decode("utf-8", "replace"))
    sent = (headers.get("webhook-signature") or "").split()
    return any(hmac.compare_digest(s, expected) for s in sent)


def make_server(secret: str, port: int = DEFAULT_PORT) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            ok = self.path == PATH and accepted(secret, self.headers, body)
            # printed before answering: once the sender has its answer, the line is out
            if ok:
                event = json.loads(body)
                print(event["type"], json.dumps(event["data"], ensure_ascii=False), flush=True)
            else:
                print(f"refused a request to {self.path}: bad signature or too old", flush=True)
            self.send_response(204 if ok else 401)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def main(argv: list[str]) -> int:
    if not argv or not argv[0].startswith("whsec_"):
        print("usage: python -m app.demo.webhook_receiver whsec_… [port]", file=sys.stderr)
        return 2
    port = int(argv[1]) if len(argv) > 1 else DEFAULT_PORT
    server = make_server(argv[0], port)
    print(f"Receiving Concord's webhooks on http://127.0.0.1:{port}{PATH} (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
