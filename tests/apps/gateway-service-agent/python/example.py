"""A chat-bot service: an HTTP server a service gateway proxies to.

Every request is answered with what reached the service (method, path, query, headers, body),
except `/stream` (a chunked answer whose last chunk waits for a request to `/release`) and
`/slow` (answers after `delay` seconds of the query).
"""

import http.server
import json
import threading
import time
import urllib.parse

from langstream import Service

released = threading.Event()


class ChatBotService(Service):
    def init(self, config, context):
        port = int(config.get("port", 8000))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True

    def main(self):
        self.server.serve_forever(poll_interval=0.05)

    def close(self):
        released.set()
        self.server.shutdown()
        self.server.server_close()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if url.path == "/stream":
            return self._stream()
        if url.path == "/release":
            released.set()
        if url.path == "/slow":
            time.sleep(float(urllib.parse.parse_qs(url.query)["delay"][0]))
        payload = json.dumps(
            {
                "method": self.command,
                "path": url.path,
                "query": url.query,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
        ).encode()
        self.send_response(201 if self.command == "PUT" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Chatbot", "yes")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _stream(self):
        released.clear()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._chunk(b"first\n")
        released.wait(30)
        self._chunk(b"last\n")
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass
