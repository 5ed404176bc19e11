"""The page's process-wide caches (runs, figures, maps): least recently used, bounded by the
total size of what they hold, shared by every session behind a lock."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class Lru(Generic[V]):
    """Values by key; while more than one value is held and their sizes (``size``) add up to
    more than ``budget``, the least recently used goes."""

    def __init__(self, budget: int, size: Callable[[V], int]) -> None:
        self.budget = budget
        self.size = size
        self.values: OrderedDict[str, V] = OrderedDict()
        self.total = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self.lock:
            value = self.values.get(key)
            if value is not None:
                self.values.move_to_end(key)
            return value

    def put(self, key: str, value: V) -> None:
        with self.lock:
            old = self.values.pop(key, None)
            if old is not None:
                self.total -= self.size(old)
            self.values[key] = value
            self.total += self.size(value)
            while len(self.values) > 1 and self.total > self.budget:
                _, gone = self.values.popitem(last=False)
                self.total -= self.size(gone)

    def clear(self) -> None:
        with self.lock:
            self.values.clear()
            self.total = 0
