import asyncio

from langstream import Processor


class AsyncAnswer(Processor):
    """An async processor that returns dicts; it sleeps to let other keys run meanwhile."""

    async def process(self, record):
        await asyncio.sleep(0.001)
        return [
            {
                "value": {"question": record.value(), "answer": len(record.value())},
                "key": record.key(),
                "headers": [("answered-by", "async")],
            }
        ]
