import json

from langstream import Processor, SimpleRecord
from textutils import shout


class ParseJson(Processor):
    def process(self, record):
        return [SimpleRecord(json.loads(record.value()), key=record.key())]


class Shout(Processor):
    def process(self, record):
        value = dict(record.value())
        value["text"] = shout(value["text"])
        return [SimpleRecord(value, key=record.key())]
