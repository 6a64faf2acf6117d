from langstream import Processor, SimpleRecord


class Answer(Processor):
    """Answers each request, keeping its headers (the service gateway's request id among them)."""

    def process(self, record):
        return [
            SimpleRecord(f"answer to {record.value()}", key=record.key(), headers=record.headers())
        ]
