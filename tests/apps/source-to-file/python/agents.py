from langstream import Sink, Source


class Numbers(Source):
    def init(self, config):
        self.remaining = int(config["count"])

    def read(self):
        if not self.remaining:
            return []
        self.remaining -= 1
        return [{"value": self.remaining, "key": "n"}]


class AppendToFile(Sink):
    def init(self, config):
        self.path = config["path"]

    def write(self, record):
        with open(self.path, "a") as handle:
            handle.write(f"{record.value()}\n")
