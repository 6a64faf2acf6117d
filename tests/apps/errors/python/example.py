from langstream import Processor


class FailOnBad(Processor):
    """Raises on every record whose value starts with 'bad'."""

    def process(self, record):
        if str(record.value()).startswith("bad"):
            raise ValueError(f"cannot handle {record.value()!r}")
        return [record]


class FailTwiceThenPass(Processor):
    """Fails the first two attempts of each record, then passes it: retries must absorb it."""

    def init(self, config):
        self.attempts = {}

    def process(self, record):
        count = self.attempts.get(record.value(), 0) + 1
        self.attempts[record.value()] = count
        if count <= 2:
            raise ConnectionError(f"transient failure {count} for {record.value()}")
        return [record]
