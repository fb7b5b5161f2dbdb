"""Anonymous API answers kept in each worker's memory, keyed by their data-version ETag.

Researchers' reads are most of the traffic, and between two writes every one of them
gets the same bytes: the ETag (LastModifiedMixin) already names the data version, the
URL with its query, the format and the role. A write moves the version, so a stale
answer is never served: its key is simply never asked for again and ages out.

The cache is per process and bounded in bytes (RESPONSE_CACHE_BYTES, least recently used
first out), so a worker's memory stays flat however many different queries it serves.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class CachedAnswer:
    headers: tuple[tuple[str, str], ...]
    body: bytes


class ResponseCache:
    def __init__(self, capacity: int):
        self.capacity = capacity
        self._answers: OrderedDict[str, CachedAnswer] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedAnswer | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    @property
    def largest(self) -> int:
        """The largest answer kept: one huge answer would push out everything else."""
        return self.capacity // 4

    def put(self, key: str, answer: CachedAnswer) -> None:
        if not 0 < len(answer.body) <= self.largest:
            return
        with self._lock:
            old = self._answers.pop(key, None)
            self._size -= len(old.body) if old else 0
            self._answers[key] = answer
            self._size += len(answer.body)
            while self._size > self.capacity:
                _, evicted = self._answers.popitem(last=False)
                self._size -= len(evicted.body)

    def tee(self, key: str, headers: tuple[tuple[str, str], ...], chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Pass a streamed body through, keeping it if it was sent whole and is small enough."""
        parts, size = [], 0
        for chunk in chunks:
            size += len(chunk)
            if size <= self.largest:
                parts.append(chunk)
            yield chunk
        if size <= self.largest:  # else `parts` holds only the beginning
            self.put(key, CachedAnswer(headers, b"".join(parts)))


responses = ResponseCache(settings.RESPONSE_CACHE_BYTES)
