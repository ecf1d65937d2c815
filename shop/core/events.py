"""The shape every event row shares, and the one function that writes events.

An order, a shipment and a settlement each keep their own event table (its foreign key
named for what it records, ``related_name="events"``, its own type choices); what an
event holds and how it is written is the same for all of them, so it is said once here.
Every state change writes its event in the same transaction, through :func:`event_write`.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.contrib.admin import display
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.core.kept_inserts import kept_insert
from shop.core.permissions import signed_in


class Event(models.Model):
    """What happened to one subject (an order, a shipment, a settlement), and who did it.

    A concrete event model sets ``subject_field`` to the name of its foreign key to the
    subject and redeclares ``type`` with its own choices (and the status columns when its
    subject's statuses are shorter)."""

    subject_field: ClassVar[str]

    type = models.CharField(max_length=32, verbose_name=_("type"))
    from_status = models.CharField(max_length=20, blank=True, verbose_name=_("from status"))
    to_status = models.CharField(max_length=20, blank=True, verbose_name=_("to status"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("data"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return _("%(type)s: %(subject)s") % {
            "type": self.get_type_display(),  # type: ignore[attr-defined]
            "subject": getattr(self, self.subject_field),
        }

    def _status_label(self, value: str) -> str:
        """A status of the subject by its name in the active language (the raw value when
        it is no longer one of the subject's statuses)."""
        subject = self._meta.get_field(self.subject_field).related_model
        choices = dict(subject._meta.get_field("status").choices or [])  # type: ignore[union-attr]
        return str(choices.get(value, value))

    @display(description=_("from status"))
    def from_status_label(self) -> str:
        return self._status_label(self.from_status)

    @display(description=_("to status"))
    def to_status_label(self) -> str:
        return self._status_label(self.to_status)


E = TypeVar("E", bound=Event)


def event_build(
    model: type[E],
    subject: models.Model,
    type: str,
    *,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    user: Any = None,
) -> E:
    """An event of ``subject``, not written yet: for a caller that writes it together with
    the change it records. The user is kept only when signed in."""
    return model(
        **{model.subject_field: subject},
        type=type,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        user=signed_in(user),
    )


def event_write(
    model: type[E],
    subject: models.Model,
    type: str,
    *,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    user: Any = None,
) -> E:
    """Write an event of ``subject`` now, inside the caller's transaction (an insert
    compiled once per connection: every order writes several)."""
    event = event_build(
        model, subject, type, from_status=from_status, to_status=to_status, data=data, user=user
    )
    kept_insert(model).insert([event])
    return event
