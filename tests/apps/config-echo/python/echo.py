from langstream import Processor


class EchoConfig(Processor):
    """Emits the configuration its init received, so tests see what LangStream would pass."""

    def init(self, config, context):
        self.config = config
        self.state = context.get_persistent_state_directory()

    def process(self, record):
        return [{"value": {"config": self.config, "state": self.state}}]
