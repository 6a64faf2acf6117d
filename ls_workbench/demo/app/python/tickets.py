"""Agents of the ticket-triage demo, written against LangStream's Python SDK."""

import json
import os

from langstream import Processor, SimpleRecord


class Classify(Processor):
    """Adds a priority to each ticket: urgent when the text mentions an urgent word."""

    def init(self, config, context):
        self.urgent_words = [w.lower() for w in config.get("urgent-words", [])]
        self.team = config["globals"].get("support-team", "unassigned")

    def process(self, record):
        ticket = record.value()
        if isinstance(ticket, (str, bytes)):
            ticket = json.loads(ticket)
        text = ticket.get("text", "").lower()
        urgent = any(word in text for word in self.urgent_words)
        ticket = {**ticket, "priority": "urgent" if urgent else "routine", "team": self.team}
        return [SimpleRecord(ticket, key=record.key(), headers=record.headers())]


class CountPerCustomer(Processor):
    """Counts routine tickets per customer; the counts survive restarts (disk enabled)."""

    def init(self, config, context):
        self.path = os.path.join(context.get_persistent_state_directory(), "counts.json")
        self.counts = {}
        if os.path.exists(self.path):
            with open(self.path) as handle:
                self.counts = json.load(handle)

    def process(self, record):
        customer = record.value()["customer"]
        self.counts[customer] = self.counts.get(customer, 0) + 1
        with open(self.path, "w") as handle:
            json.dump(self.counts, handle)
        return [
            SimpleRecord(
                {"customer": customer, "routine-tickets": self.counts[customer]}, key=customer
            )
        ]
