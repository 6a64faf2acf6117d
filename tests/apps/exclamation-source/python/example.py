import threading

from langstream import Source


class CountingSource(Source):
    """Emits `count` records once, as (value, key) tuples; remembers what was committed."""

    committed = []

    def init(self, config, context):
        self.count = int(config["count"])
        self.sent = False
        self.lock = threading.Lock()

    def read(self):
        if self.sent:
            return []
        self.sent = True
        return [(f"record {i}!", f"k{i}") for i in range(self.count)]

    def commit(self, record):
        with self.lock:
            CountingSource.committed.append(record.value())
