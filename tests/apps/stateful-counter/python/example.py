import os

from langstream import Processor, SimpleRecord


class Counter(Processor):
    """Keeps a running count in counter.txt in the agent's persistent state directory."""

    def init(self, config, context):
        directory = context.get_persistent_state_directory()
        self.counter_file = os.path.join(directory, "counter.txt")
        self.counter = 0
        if os.path.exists(self.counter_file):
            with open(self.counter_file) as handle:
                self.counter = int(handle.read())

    def process(self, record):
        self.counter += 1
        with open(self.counter_file, "w") as handle:
            handle.write(str(self.counter))
        return [SimpleRecord(f"{record.value()} #{self.counter}", key=record.key())]
