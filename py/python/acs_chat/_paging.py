"""Lazy listings with azure-core's ``ItemPaged`` shape: iterate items, or ``by_page(continuation_token)``."""

import json
from typing import Any, Callable, Generic, Iterator, List, Optional, TypeVar

T = TypeVar("T")

__all__ = ["ItemPaged"]


class _PageIterator(Generic[T]):
    """Iterates pages (each an iterator of items); ``continuation_token`` resumes after the last page seen."""

    def __init__(self, start: Callable[[Optional[str]], Any], convert: Callable[[Any], T],
                 continuation_token: Optional[str]) -> None:
        self._start = start
        self._convert = convert
        self._pager: Any = None
        self.continuation_token: Optional[str] = continuation_token
        self._done = False

    def __iter__(self) -> "_PageIterator[T]":
        return self

    def __next__(self) -> Iterator[T]:
        if self._done:
            raise StopIteration
        if self._pager is None:
            self._pager = self._start(self.continuation_token)
        page = self._pager.next_page()
        if page is None:
            self._done = True
            raise StopIteration
        items_json, token = page
        self.continuation_token = token
        if token is None:
            self._done = True
        items: List[T] = [self._convert(w) for w in json.loads(items_json)]
        return iter(items)

    next = __next__


class ItemPaged(Generic[T]):
    """A lazy iterable of items; no request is made until iteration starts.

    Thread-safety: one iteration per object at a time; separate ``by_page()`` calls are independent.
    """

    def __init__(self, start: Callable[[Optional[str]], Any], convert: Callable[[Any], T]) -> None:
        self._start = start
        self._convert = convert
        self._items: Optional[Iterator[T]] = None
        self._pages: Optional[_PageIterator[T]] = None

    def by_page(self, continuation_token: Optional[str] = None) -> _PageIterator[T]:
        """An iterator of pages, starting after ``continuation_token`` when given."""
        return _PageIterator(self._start, self._convert, continuation_token)

    @property
    def continuation_token(self) -> Optional[str]:
        """The token of the page after the last one fetched by item iteration."""
        return self._pages.continuation_token if self._pages is not None else None

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        if self._items is None:
            self._pages = self.by_page()
            self._items = (item for page in self._pages for item in page)
        return next(self._items)

    next = __next__

    def __repr__(self) -> str:
        return "<ItemPaged>"
