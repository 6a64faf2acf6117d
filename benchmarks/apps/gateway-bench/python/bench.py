from langstream import Processor, SimpleRecord


class Answer(Processor):
    """Answers with the request's value; keeps its headers (the service request id)."""

    def process(self, record):
        return [SimpleRecord(record.value(), headers=record.headers())]
