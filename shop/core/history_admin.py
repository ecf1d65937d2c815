"""The admin's history pages: each object's changes with old and new values, to read.

django-simple-history's pages would also save a past version back when its form is
posted, for anybody allowed to look; here a past version is only ever shown (a change
goes through the object's own page and its rules), and an object's history is shown
only to those who may see the object itself (partner staff, their own rows).
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    def _history_visible(self, request: HttpRequest, object_id: str) -> bool:
        pk = unquote(object_id)
        if self.get_queryset(request).filter(pk=pk).exists():
            return True
        # A deleted object's history is the superusers' to read.
        user: Any = request.user
        return bool(user.is_superuser) and not self.model._default_manager.filter(pk=pk).exists()

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if not self._history_visible(request, object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied
        if not self._history_visible(request, object_id):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True
