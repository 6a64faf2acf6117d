"""Consumer groups of the embedded broker: the coordinator and the consumers themselves.

A `Group` owns the committed offsets of one group id and decides which active member reads
which partition. Assignment is sticky and balanced: on every rebalance a partition stays with
its current owner when that keeps the split even, so joins and leaves move as few partitions
(and redeliver as few uncommitted records) as possible. A partition that changes owner resumes
at the group's committed offset; with no commit yet, at the offset the group first started the
partition from (so nothing read-but-uncommitted is lost), else per the member's `position`.

`MemoryConsumer` reads through one cursor per assigned partition; a consumer without a group
simply owns every partition of its topics.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Protocol

from kernel_runtime.brokers.base import BrokerError, Position, TopicPartition
from kernel_runtime.brokers.memory_log import PartitionLog, wake_all
from kernel_runtime.records import StreamRecord

LogsOf = Callable[[str], "list[PartitionLog] | None"]


class BrokerSide(Protocol):
    """What a consumer needs from its broker."""

    @property
    def closed(self) -> bool: ...

    def _logs_of(self, name: str) -> list[PartitionLog] | None: ...

    def _detach(self, consumer: MemoryConsumer) -> None: ...


class Member(Protocol):
    """What a group needs from a consumer."""

    topics: tuple[str, ...]
    position_policy: Position

    def owned(self) -> set[TopicPartition]: ...

    def apply_assignment(
        self,
        removed: Iterable[TopicPartition],
        added: dict[TopicPartition, tuple[PartitionLog, int]],
    ) -> None: ...

    def _wake(self) -> None:
        """Wake a pending poll so it sees its new assignment."""
        ...


def initial_offset(log: PartitionLog, position: Position) -> int:
    return log.start if position == "earliest" else log.end


class Group:
    """Members, partition owners and committed offsets of one consumer group."""

    def __init__(self, group_id: str) -> None:
        self.group_id = group_id
        self.members: list[Member] = []
        self.owners: dict[TopicPartition, Member] = {}
        self.committed: dict[TopicPartition, int] = {}
        # Where the group started a partition it never committed: redelivery floor on rebalance.
        self.started: dict[TopicPartition, int] = {}

    def topics(self) -> set[str]:
        return {topic for member in self.members for topic in member.topics}

    def join(self, member: Member, logs_of: LogsOf) -> None:
        self.members.append(member)
        self.rebalance(logs_of)

    def leave(self, member: Member, logs_of: LogsOf) -> None:
        if member not in self.members:
            return
        self.members.remove(member)
        if not self.members:
            self.started.clear()  # no virtual commits survive an empty group, as in Kafka
        self.rebalance(logs_of)

    def floor(self, tp: TopicPartition) -> int | None:
        """The lowest offset this group may still need on `tp` (None if it never read it)."""
        offset = self.committed.get(tp)
        return self.started.get(tp) if offset is None else offset

    def commit(self, member: Member, offsets: dict[TopicPartition, int]) -> list[TopicPartition]:
        """Store offsets for partitions `member` owns; returns those stored.

        Offsets for partitions the member no longer owns are dropped, as Kafka rejects them:
        the new owner redelivers those records (at-least-once).
        """
        stored = []
        owners = self.owners
        for tp, offset in offsets.items():
            if type(offset) is not int or offset < 0:
                raise ValueError(f"commit offset for {tp} must be an int >= 0, got {offset!r}")
            if owners.get(tp) is member:
                self.committed[tp] = offset
                stored.append(tp)
        return stored

    def forget_topic(self, topic: str) -> None:
        for table in (self.committed, self.started, self.owners):
            for tp in [tp for tp in table if tp.topic == topic]:
                del table[tp]

    def rebalance(self, logs_of: LogsOf) -> None:
        """Recompute owners and tell each member what it lost and gained."""
        load: dict[int, int] = {id(member): 0 for member in self.members}
        new_owners: dict[TopicPartition, Member] = {}
        for topic in sorted(self.topics()):
            logs = logs_of(topic)
            if not logs:
                continue
            eligible = [member for member in self.members if topic in member.topics]
            for tp, owner in _assign_topic(topic, len(logs), eligible, self.owners, load).items():
                new_owners[tp] = owner
        self.owners = new_owners
        for member in self.members:
            had = member.owned()
            now = {tp for tp, owner in new_owners.items() if owner is member}
            added: dict[TopicPartition, tuple[PartitionLog, int]] = {}
            for tp in now - had:
                logs = logs_of(tp.topic)
                assert logs is not None
                log = logs[tp.partition]
                added[tp] = (log, self._resume_offset(tp, log, member.position_policy))
            member.apply_assignment(had - now, added)

    def _resume_offset(self, tp: TopicPartition, log: PartitionLog, position: Position) -> int:
        offset = self.floor(tp)
        if offset is None:
            offset = initial_offset(log, position)
            self.started[tp] = offset
        return offset


def _assign_topic(
    topic: str,
    partitions: int,
    eligible: list[Member],
    current: dict[TopicPartition, Member],
    load: dict[int, int],
) -> dict[TopicPartition, Member]:
    """Balanced sticky assignment of one topic's partitions among `eligible` members.

    Every member gets partitions // members, some one more; the extra ones go to members that
    already own more of this topic (fewer moves), then to the least loaded overall.
    """
    if not eligible:
        return {}
    order = {id(member): index for index, member in enumerate(eligible)}
    owned_here = {id(member): 0 for member in eligible}
    for partition in range(partitions):
        owner = current.get(TopicPartition(topic, partition))
        if owner is not None and id(owner) in owned_here:
            owned_here[id(owner)] += 1
    ranked = sorted(
        eligible,
        key=lambda m: (-owned_here[id(m)], load[id(m)], order[id(m)]),
    )
    base, extra = divmod(partitions, len(eligible))
    quota = {id(member): base + (1 if index < extra else 0) for index, member in enumerate(ranked)}
    result: dict[TopicPartition, Member] = {}
    unowned: list[TopicPartition] = []
    for partition in range(partitions):
        tp = TopicPartition(topic, partition)
        owner = current.get(tp)
        if owner is not None and quota.get(id(owner), 0) > 0:
            quota[id(owner)] -= 1
            result[tp] = owner
        else:
            unowned.append(tp)
    for tp in unowned:
        member = next(m for m in ranked if quota[id(m)] > 0)
        quota[id(member)] -= 1
        result[tp] = member
    for member in result.values():
        load[id(member)] += 1
    return result


class _Cursor:
    __slots__ = ("log", "position")

    def __init__(self, log: PartitionLog, position: int) -> None:
        self.log = log
        self.position = position


class MemoryConsumer:
    """A consumer-group member, or with `group_id=None` a reader of all partitions."""

    def __init__(
        self,
        broker: BrokerSide,
        topics: tuple[str, ...],
        group_id: str | None,
        position: Position,
    ) -> None:
        self._broker = broker
        self.topics = topics
        self.group_id = group_id
        self.position_policy: Position = position
        self._group: Group | None = None
        self._cursors: dict[TopicPartition, _Cursor] = {}
        self._order: list[_Cursor] = []
        self._waiter: asyncio.Future[None] | None = None
        self._rotation = 0
        self._closed = False

    # `memory_groups.Member`, for the group coordinator.
    def owned(self) -> set[TopicPartition]:
        return set(self._cursors)

    def apply_assignment(
        self,
        removed: Iterable[TopicPartition],
        added: dict[TopicPartition, tuple[PartitionLog, int]],
    ) -> None:
        for tp in removed:
            self._cursors.pop(tp, None)
        for tp, (log, offset) in added.items():
            self._cursors[tp] = _Cursor(log, offset)
        self._order = [self._cursors[tp] for tp in sorted(self._cursors, key=_tp_order)]

    # -- Consumer protocol -----------------------------------------------------------------

    async def poll(self, max_records: int = 500, timeout: float = 1.0) -> list[StreamRecord]:
        self._check_open()
        if max_records < 1:
            raise ValueError(f"max_records must be >= 1, got {max_records}")
        # Always a scheduling point, like a network round trip: a consumer loop that finds
        # records every time must not starve the other tasks (e.g. replicas still joining).
        await asyncio.sleep(0)
        if self._closed or self._broker.closed:
            return []
        records = self._fetch(max_records)
        if records or timeout <= 0:
            return records
        if self._waiter is not None:
            raise BrokerError("poll() is already waiting on this consumer; poll from one task")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            future: asyncio.Future[None] = loop.create_future()
            logs = [cursor.log for cursor in self._order]
            for log in logs:
                log.readers.add(future)
            self._waiter = future
            timer = loop.call_at(deadline, _resolve, future)
            try:
                await future
            finally:
                timer.cancel()
                self._waiter = None
                for log in logs:
                    log.readers.discard(future)
            if self._closed or self._broker.closed:
                return []
            records = self._fetch(max_records)
            if records or loop.time() >= deadline:
                return records

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self._check_open()
        if self._group is None:
            raise BrokerError(
                "a consumer without group_id cannot commit offsets; "
                "create it with a group_id, or track positions yourself (seek)"
            )
        for tp in self._group.commit(self, offsets):
            writers = self._cursors[tp].log.writers
            if writers:
                wake_all(writers)

    def assignment(self) -> set[TopicPartition]:
        return set(self._cursors)

    def seek(self, partition: TopicPartition, offset: int) -> None:
        """Read `partition` from `offset` next (clamped to the log end; below start skips)."""
        self._check_open()
        cursor = self._cursors.get(partition)
        if cursor is None:
            raise BrokerError(f"{partition} is not assigned to this consumer; cannot seek")
        if offset < 0:
            raise ValueError(f"offset must be >= 0, got {offset}")
        cursor.position = min(offset, cursor.log.end)

    def position(self, partition: TopicPartition) -> int:
        """Offset of the next record `poll` returns from `partition` (memory-only extra)."""
        cursor = self._cursors.get(partition)
        if cursor is None:
            raise BrokerError(f"{partition} is not assigned to this consumer")
        return max(cursor.position, cursor.log.start)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._broker._detach(self)
        self._cursors.clear()
        self._order = []
        self._wake()

    # -- internals -------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._broker.closed:
            raise BrokerError("broker closed")
        if self._closed:
            raise BrokerError("consumer closed")

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _sync_standalone(self) -> None:
        """A group-less reader owns every partition of its topics that exists."""
        wanted: dict[TopicPartition, PartitionLog] = {}
        for name in self.topics:
            logs = self._broker._logs_of(name)
            for log in logs or ():
                wanted[log.tp] = log
        removed = [tp for tp, c in self._cursors.items() if wanted.get(tp) is not c.log]
        added = {
            tp: (log, initial_offset(log, self.position_policy))
            for tp, log in wanted.items()
            if tp not in self._cursors or tp in removed
        }
        self.apply_assignment(removed, added)

    def _fetch(self, max_records: int) -> list[StreamRecord]:
        order = self._order
        count = len(order)
        out: list[StreamRecord] = []
        if count == 0:
            return out
        if count > 1:
            self._rotation = rotation = (self._rotation + 1) % count
            order = order[rotation:] + order[:rotation]
        for cursor in order:
            log = cursor.log
            position = cursor.position
            if position >= log.base + len(log.entries):
                continue
            start = log.base + log.head
            if position < start:
                log.skipped += start - position
                position = start
            position += log.read(position, max_records - len(out), out)
            cursor.position = position
            if len(out) >= max_records:
                break
        return out


def _tp_order(tp: TopicPartition) -> tuple[str, int]:
    return (tp.topic, tp.partition)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
