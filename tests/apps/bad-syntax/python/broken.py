from langstream import Processor


class Agent(Processor):
    def process(self, record)
        return [record]
