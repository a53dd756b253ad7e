"""Page-number pagination that reads one page from the database, and counts cheaply.

``?page=N&page_size=M``; the body carries ``count``, ``count_exact``, ``next``, ``previous``, ``results``.
``count`` is the number of results when there are at most ``COUNT_LIMIT`` (10,000); beyond that
``count`` is 10,000 and ``count_exact`` is false ("more than 10,000"): counting every row of a large
table on every page costs more than it tells. ``next`` and ``previous`` work on every page either way
(a page reads one row more than it shows to know whether there is a next one).
"""

from __future__ import annotations

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

COUNT_LIMIT = 10_000


def capped_count(rows, limit: int | None = None) -> int:
    """How many rows there are, counting no further than ``limit + 1`` (default ``COUNT_LIMIT``)."""
    limit = COUNT_LIMIT if limit is None else limit
    if hasattr(rows, "query"):  # a QuerySet: SELECT COUNT(*) FROM (… LIMIT limit + 1)
        return rows[: limit + 1].count()
    if isinstance(rows, list | tuple):
        return len(rows)
    return rows.count()


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            raise NotFound("A page number is needed here (1, 2, …); this list does not offer the last page by name.")
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1 or len(raw) > 9:
            raise NotFound("Invalid page: give a page number from 1 up.")
        self.number = int(raw)
        self.page_size_used = page_size
        offset = (self.number - 1) * page_size
        rows = list(queryset[offset: offset + page_size + 1])
        self.more = len(rows) > page_size
        rows = rows[:page_size]
        if self.number > 1 and not rows:
            raise NotFound("Invalid page: that page has no results.")
        if self.number == 1 and not self.more:
            counted = len(rows)  # the whole list is on this page: no count query
        else:
            counted = capped_count(queryset)
        self.count_exact = counted <= COUNT_LIMIT
        self.count = min(counted, COUNT_LIMIT)
        return rows

    def get_next_link(self):
        if not self.more:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data):
        return Response({
            "count": self.count,
            "count_exact": self.count_exact,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        base = super().get_paginated_response_schema(schema)
        base["properties"]["count"]["description"] = (
            f"The number of results, exact up to {COUNT_LIMIT:,}; above that it is {COUNT_LIMIT:,} and count_exact is false."
        )
        base["properties"]["count_exact"] = {
            "type": "boolean",
            "description": f"False when there are more than {COUNT_LIMIT:,} results (count then says {COUNT_LIMIT:,}).",
        }
        base["required"] = [*base.get("required", []), "count_exact"]
        return base


class ChainedQuerysets:
    """Several querysets read as one list, one after another, paginated in the database: a page costs one
    count per queryset (no further than the page needs) and one read per queryset it touches."""

    def __init__(self, querysets):
        self.querysets = list(querysets)
        self._counts: list[int] = []

    def _count_of(self, index: int) -> int:
        while len(self._counts) <= index:
            self._counts.append(self.querysets[len(self._counts)].count())
        return self._counts[index]

    def count(self) -> int:
        return sum(self._count_of(index) for index in range(len(self.querysets)))

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("ChainedQuerysets reads slices only")
        start, stop = key.start or 0, key.stop
        rows: list = []
        before = 0
        for index, queryset in enumerate(self.querysets):
            if stop is not None and before >= stop:
                break
            size = self._count_of(index)
            if start < before + size:
                low = max(start - before, 0)
                high = size if stop is None else min(stop - before, size)
                rows.extend(queryset[low:high])
            before += size
        return rows
