from langstream import Processor, SimpleRecord


class EchoBot(Processor):
    """Answers every question; the answer keeps the question's headers (its session)."""

    def process(self, record):
        return [SimpleRecord(f"you said: {record.value()}", headers=record.headers())]
