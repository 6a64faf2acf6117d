from concurrent.futures import ThreadPoolExecutor

from langstream import Processor

_pool = ThreadPoolExecutor(2)


class FutureUpper(Processor):
    """Returns a concurrent.futures.Future resolving to tuples (value, key)."""

    def process(self, record):
        return _pool.submit(lambda: [(record.value().upper(), record.key())])
