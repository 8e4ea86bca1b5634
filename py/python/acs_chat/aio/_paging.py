"""``AsyncItemPaged``: ``async for`` over items, or ``by_page(continuation_token)`` for pages."""

import json
from typing import Any, AsyncIterator, Callable, Generic, List, Optional, TypeVar

T = TypeVar("T")

__all__ = ["AsyncItemPaged", "AsyncList"]


class AsyncList(Generic[T]):
    """One page's items as an async iterator."""

    def __init__(self, items: List[T]) -> None:
        self._items = iter(items)

    def __aiter__(self) -> "AsyncList[T]":
        return self

    async def __anext__(self) -> T:
        try:
            return next(self._items)
        except StopIteration:
            raise StopAsyncIteration from None


class _AsyncPageIterator(Generic[T]):
    def __init__(self, start: Callable[[Optional[str]], Any], convert: Callable[[Any], T],
                 continuation_token: Optional[str]) -> None:
        self._start = start
        self._convert = convert
        self._pager: Any = None
        self.continuation_token: Optional[str] = continuation_token
        self._done = False

    def __aiter__(self) -> "_AsyncPageIterator[T]":
        return self

    async def __anext__(self) -> AsyncList[T]:
        if self._done:
            raise StopAsyncIteration
        if self._pager is None:
            self._pager = self._start(self.continuation_token)
        page = await self._pager.next_page(aio=True)
        if page is None:
            self._done = True
            raise StopAsyncIteration
        items_json, token = page
        self.continuation_token = token
        if token is None:
            self._done = True
        return AsyncList([self._convert(w) for w in json.loads(items_json)])


class AsyncItemPaged(Generic[T]):
    """A lazy async iterable of items; no request is made until iteration starts."""

    def __init__(self, start: Callable[[Optional[str]], Any], convert: Callable[[Any], T]) -> None:
        self._start = start
        self._convert = convert
        self._pages: Optional[_AsyncPageIterator[T]] = None
        self._page: Optional[AsyncList[T]] = None

    def by_page(self, continuation_token: Optional[str] = None) -> _AsyncPageIterator[T]:
        """An async iterator of pages, starting after ``continuation_token`` when given."""
        return _AsyncPageIterator(self._start, self._convert, continuation_token)

    @property
    def continuation_token(self) -> Optional[str]:
        """The token of the page after the last one fetched by item iteration."""
        return self._pages.continuation_token if self._pages is not None else None

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        if self._pages is None:
            self._pages = self.by_page()
        while True:
            if self._page is None:
                self._page = await self._pages.__anext__()
            try:
                return await self._page.__anext__()
            except StopAsyncIteration:
                self._page = None

    def __repr__(self) -> str:
        return "<AsyncItemPaged>"
