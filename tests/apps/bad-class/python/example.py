from langstream import Processor


class Exclamation(Processor):
    def process(self, record):
        return [record]
