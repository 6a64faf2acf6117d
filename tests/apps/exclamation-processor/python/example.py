from langstream import Processor, SimpleRecord


class Exclamation(Processor):
    def process(self, record):
        return [SimpleRecord(record.value() + "!!", key=record.key(), headers=record.headers())]
