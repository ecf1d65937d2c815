"""Updates compiled once per database connection and run again with new values.

``QuerySet.update()`` and ``save(update_fields=...)`` build an update query, resolve and
compile each value and the filter, and assemble the SQL again on every call, for rows
of the same shape each time: at paying, the payment's state and the order paid; at
placing, the payment's reference (bench/README.md, "Paying's updates kept").
:class:`KeptUpdate` has Django compile the update of a queryset once per connection
(its filter's values and the values set as slots, see
:mod:`shop.core.kept_statements`) and runs it again through Django's cursor with each
value prepared as ``update()`` prepares it (``get_db_prep_save``); :func:`kept_save`
writes the fields of an instance as ``save(update_fields=...)`` does. No SQL is written
by hand.

What it does not do: expressions as values (``F()``), updates reaching other tables
(inherited fields, a filter across a relation: Django reads the keys first there),
fields with a placeholder of their own, and signals (:func:`kept_save` refuses a model
something listens to): refused rather than written another way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from django.db import DatabaseError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Field, Model, QuerySet, signals
from django.db.models.sql import UpdateQuery

from shop.core.kept_statements import ID_FIELD, Slot, _Marker

M = TypeVar("M", bound=Model)


class _Set(Expression):
    """Where the value set to one field goes in the compiled statement."""

    def __init__(self, name: str, field: Field[Any, Any]) -> None:
        super().__init__(output_field=field)
        self.name, self.target = name, field

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [self]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    places: tuple[tuple[int, str, Field[Any, Any], bool], ...]  # (at, name, field, is a set)


def _column(model: type[Model], name: str) -> Field[Any, Any]:
    """The field ``name`` of ``model``, one of its columns (a relation's is refused)."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.concrete:
        raise ValueError(f"{name}: only the model's own columns are kept")
    return field


class KeptUpdate(Generic[M]):
    """``queryset.update(**{field: value ...})`` for the ``fields`` named, compiled once per
    connection: :meth:`update` takes the values of the queryset's slots and of the
    fields, and gives the number of rows changed, as ``update()`` does. Keep one per shape
    (per process)."""

    def __init__(self, queryset: QuerySet[M, Any], fields: Sequence[str]) -> None:
        self._queryset = queryset
        self._fields = {name: _column(queryset.model, name) for name in fields}
        for name, field in self._fields.items():
            if field.model is not queryset.model._meta.concrete_model:
                raise ValueError(f"{name}: only the model's own columns are kept")
            if hasattr(field, "get_placeholder"):
                raise ValueError(f"{name}: a field with a placeholder of its own")
        self._compiled: WeakKeyDictionary[BaseDatabaseWrapper, _Compiled] = WeakKeyDictionary()

    def update(self, **values: Any) -> int:
        """The rows changed, with these values of the filter's slots and the fields set."""
        model = self._queryset.model
        alias = router.db_for_write(model)
        connection = connections[alias]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(alias)
        names = {name for _, name, _, _ in compiled.places}
        if set(values) != names:
            raise TypeError(f"values {sorted(values)} given, {sorted(names)} wanted")
        params = list(compiled.params)
        for at, name, field, is_set in compiled.places:
            value = values[name]
            if hasattr(value, "resolve_expression"):
                raise ValueError(f"{name}: expressions are not kept")
            if is_set:
                if hasattr(value, "prepare_database_save"):  # an instance, as update() takes it
                    value = value.prepare_database_save(field)
                params[at] = field.get_db_prep_save(value, connection)
            elif value is None:
                raise ValueError(f"{name}: None is not a value of a kept filter")
            else:
                params[at] = field.get_db_prep_value(value, connection)
        with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return int(cursor.rowcount)

    def _compile(self, alias: str) -> _Compiled:
        # A copy (chain): threads of one process compile the same kept update for their
        # connections, and the compiler changes the query it compiles.
        query: Any = self._queryset.query.chain(UpdateQuery)
        query.add_update_values({name: _Set(name, f) for name, f in self._fields.items()})
        query.get_initial_alias()
        if query.related_updates or query.count_active_tables() != 1:
            raise ValueError("an update reaching other tables is not kept")
        sql, params = query.get_compiler(using=alias).as_sql()
        places = []
        for at, param in enumerate(params):
            if isinstance(param, _Set):
                places.append((at, param.name, param.target, True))
            elif isinstance(param, _Marker):  # a slot of the filter
                if param.member is not None:
                    raise ValueError(f"{param.name}: lists of slots are not kept in an update")
                places.append((at, param.name, param.field, False))
        slots = {name for _, name, _, is_set in places if not is_set}
        if slots & set(self._fields):
            raise ValueError(f"{sorted(slots & set(self._fields))}: a slot named as a field set")
        return _Compiled(sql=sql, params=tuple(params), places=tuple(places))


class KeptSave(Generic[M]):
    """``obj.save(update_fields=fields)`` for the instances of one model, compiled once per
    connection: each field's ``pre_save()`` (``auto_now`` timestamps) and the row found by
    its primary key; a row missing raises ``DatabaseError`` as ``save()`` does."""

    def __init__(self, model: type[M], fields: Sequence[str]) -> None:
        self._model = model
        self._names = list(fields)
        self._fields = [_column(model, name) for name in fields]
        if any(field.primary_key for field in self._fields):
            raise ValueError("the primary key is not updated")
        pk = Slot("pk", ID_FIELD)
        self._update = KeptUpdate(model._base_manager.filter(pk=pk), list(fields))

    def save(self, obj: M) -> None:
        model = self._model
        if type(obj) is not model:
            raise TypeError(f"{type(obj).__name__} is not {model.__name__}")
        if obj.pk is None or obj._state.adding:
            raise ValueError("only a stored row is updated")
        if signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
            # Asked at each save: a listener may come after the statement was compiled.
            # The kept statement sends no signal, so the ORM saves and they are heard
            # (a payment's outcome is written whatever else listens to it).
            obj.save(update_fields=self._names)
            return
        obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]  # not in the stubs
        values = {
            name: field.pre_save(obj, False)
            for name, field in zip(self._names, self._fields, strict=True)
        }
        if not self._update.update(pk=obj.pk, **values):
            raise DatabaseError("Save with update_fields did not affect any rows.")
