"""A sequence of verdicts whose cards are written when first read.

The judgement decides every run's kind and numbers at once, as arrays (``judge.decide``); the
card of a run (its dict, its sentences in both languages, its events) is Python per run and
costs more than all the arrays together. Most readers of a large batch read few cards (a map
reads none; the page shows the cards of the runs it draws), so ``Verdicts`` writes a card on
first read and keeps it: reading it again returns the same dict. What it returns does not
depend on the order of reading (each card reads only the decision, which no card changes).
Once every card has been read, the decision is released.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

Card = dict[str, Any]


class Verdicts(Sequence[Card]):
    """``n`` verdict dicts, the j-th written by ``write(j)`` when first read. ``kinds`` (n,)
    are their kinds, known without writing them."""

    __slots__ = ("_cards", "_left", "_write", "kinds")

    def __init__(self, kinds: Sequence[str], write: Callable[[int], Card]) -> None:
        self.kinds: tuple[str, ...] = tuple(kinds)
        self._cards: list[Card | None] = [None] * len(self.kinds)
        self._left = len(self.kinds)
        self._write: Callable[[int], Card] | None = write if self._left else None

    @classmethod
    def of(cls, cards: Sequence[Card]) -> Verdicts:
        """Cards already written."""
        out = cls([c["kind"] for c in cards], cards.__getitem__)
        for j in range(len(cards)):
            out[j]
        return out

    def __len__(self) -> int:
        return len(self._cards)

    @overload
    def __getitem__(self, j: int) -> Card: ...
    @overload
    def __getitem__(self, j: slice) -> list[Card]: ...
    def __getitem__(self, j: int | slice) -> Card | list[Card]:
        if isinstance(j, slice):
            return [self[i] for i in range(*j.indices(len(self)))]
        card = self._cards[j]  # IndexError for an index out of range, as a list
        if card is None:
            write = self._write
            card = write(j if j >= 0 else j + len(self))  # type: ignore[misc]
            if self._cards[j] is None:  # another thread may have written it meanwhile
                self._cards[j] = card
                self._left -= 1
                if self._left == 0:
                    self._write = None  # every card is written: release the decision
            card = self._cards[j]
        return card  # type: ignore[return-value]

    def __iter__(self) -> Iterator[Card]:
        for j in range(len(self)):
            yield self[j]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Verdicts, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def written(self) -> int:
        """How many cards have been written so far."""
        return len(self) - self._left

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its cards (a cache that pickles a result writes them all once)."""
        return (Verdicts.of, (list(self),))

    def __repr__(self) -> str:
        return f"Verdicts({len(self)} runs, {self.written()} cards written: {list(self.kinds)[:8]}...)"


def gather(n: int, parts: Sequence[tuple[Sequence[int], Verdicts]]) -> Verdicts:
    """One sequence of ``n`` verdicts from parts, each the verdicts of the rows it lists."""
    where: list[tuple[Verdicts, int]] = [None] * n  # type: ignore[list-item]
    for rows, part in parts:
        for k, j in enumerate(rows):
            where[j] = (part, k)
    kinds = [p.kinds[k] for p, k in where]
    return Verdicts(kinds, lambda j: where[j][0][where[j][1]])
