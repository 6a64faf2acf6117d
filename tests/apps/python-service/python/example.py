import http.server
import json
import threading

from langstream import Service


class HelloService(Service):
    """A plain http.server on loopback; writes its port where the test can read it."""

    instances = []

    def init(self, config, context):
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", int(config.get("port", 0))), Handler
        )
        self.stopped = threading.Event()
        HelloService.instances.append(self)

    @property
    def port(self):
        return self.server.server_address[1]

    def main(self):
        self.server.serve_forever(poll_interval=0.05)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.stopped.set()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"hello": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass
