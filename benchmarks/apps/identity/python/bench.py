from langstream import Processor


class Identity(Processor):
    def process(self, record):
        return [record]
