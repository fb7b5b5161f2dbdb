"""E3's comparison: the observation list paged by number (LIMIT/OFFSET), as DRF's default pagination does.

Same view, filters and serializer as basewatch's keyset-paged list; only the pagination differs.
"""

from __future__ import annotations

from basewatch.api.pagination import PagePagination
from basewatch.api.views.claims import ObservationList


class OffsetObservationList(ObservationList):
    pagination_class = PagePagination


observations = OffsetObservationList.as_view()
