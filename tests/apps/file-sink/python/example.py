from concurrent.futures import Future

from langstream import Sink


class FileSink(Sink):
    """Appends each value to a file; every other write answers with a completed Future."""

    def init(self, config):
        self.path = config["path"]
        self.writes = 0

    def write(self, record):
        with open(self.path, "a") as handle:
            handle.write(f"{record.value()}\n")
        self.writes += 1
        if self.writes % 2 == 0:
            done = Future()
            done.set_result(None)
            return done
        return None
