"""Rows inserted with SQL compiled once per database connection.

Every ``save(force_insert=True)`` and ``bulk_create()`` builds an insert query, resolves
and compiles each value of each row, and assembles the SQL again, for rows of the same
shape each time: the writes of placing an order (the cart, its lines, the order, its
lines, the hold, the events, the payment) spent about a fifth of placing's CPU there
(bench/README.md, "Placing's writes kept"). :class:`KeptInsert` has Django compile the
insert of one model once per connection and number of rows (placeholders only, the
columns ``save()`` writes, the primary key returned) and runs it again through Django's
cursor with each row's values prepared as ``save()`` prepares them: each field's
``pre_save()`` (the timestamps) and ``get_db_prep_save()``, the foreign keys taken from
related objects saved after they were assigned. No SQL is written by hand.

What it does not do: signals (refused for a model something listens to), expressions as
values, inherited tables, fields with database defaults, generated columns or a
placeholder of their own, and conflicts (``ignore_conflicts``): refused rather than
written another way. More rows than the engine takes values in one statement are
inserted in as many statements as it needs, as ``bulk_create()`` batches them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import NOT_PROVIDED, Expression, Field, Model, signals
from django.db.models.sql import InsertQuery

M = TypeVar("M", bound=Model)


class _Place(Expression):
    """Where the value of one row's field goes in the compiled statement."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.at = at

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [self]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    fields: tuple[Field[Any, Any], ...]  # the columns written, in the order of the values


class KeptInsert(Generic[M]):
    """The inserts of one model's rows, compiled once per connection, number of rows and
    whether the rows bring their primary key: :meth:`insert` writes the rows as
    ``bulk_create()`` (or each one's ``save(force_insert=True)``) would. Keep one per
    model (per process)."""

    def __init__(self, model: type[M]) -> None:
        self._model = model
        self._compiled: WeakKeyDictionary[
            BaseDatabaseWrapper, dict[tuple[int, bool], _Compiled]
        ] = WeakKeyDictionary()

    def insert(self, objs: Sequence[M]) -> list[M]:
        """Insert ``objs`` (instances of the model not saved yet, all with their primary
        key or all without), setting the primary key the database gives; returns them."""
        if not objs:
            return []
        model = self._model
        if signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
            # Asked at each insert: a listener may come after the statement was compiled.
            raise ValueError(
                f"{model.__name__}: its saves are listened to; kept inserts send no signal"
            )
        alias = router.db_for_write(model, instance=objs[0])
        connection = connections[alias]
        pk_given = objs[0].pk is not None
        if any((obj.pk is not None) != pk_given for obj in objs):
            raise ValueError("rows with and without their primary key are inserted apart")
        most = connection.features.max_query_params
        # More values than the engine takes in one statement (the columns' count bounds
        # the values of a row, so the exact count is asked only near the bound).
        if most and len(objs) * len(model._meta.local_concrete_fields) > most:
            per_statement = most // len(self._fields(pk_given))
            if len(objs) > per_statement:
                for start in range(0, len(objs), per_statement):
                    self.insert(objs[start : start + per_statement])
                return list(objs)
        kept = self._compiled.setdefault(connection, {})
        compiled = kept.get((len(objs), pk_given))
        if compiled is None:
            compiled = kept[(len(objs), pk_given)] = self._compile(alias, len(objs), pk_given)
        params = []
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]  # not in the stubs
            for field in compiled.fields:
                value = field.pre_save(obj, True)
                if hasattr(value, "resolve_expression"):
                    raise ValueError(f"{field.name}: expressions are not kept")
                params.append(field.get_db_prep_save(value, connection))
        with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            returned = cursor.fetchall() if not pk_given else []
        pk_attname = self._model._meta.pk.attname  # type: ignore[union-attr]
        for obj, row in zip(objs, returned, strict=True) if returned else ():
            setattr(obj, pk_attname, row[0])
        for obj in objs:
            obj._state.adding = False
            obj._state.db = alias
        return list(objs)

    def _fields(self, pk_given: bool) -> list[Field[Any, Any]]:
        """The columns written: all but an automatic primary key the database gives."""
        meta = self._model._meta
        return [
            field
            for field in meta.local_concrete_fields
            if pk_given or field is not meta.auto_field
        ]

    def _compile(self, alias: str, count: int, pk_given: bool) -> _Compiled:
        model, meta = self._model, self._model._meta
        if meta.parents or any(
            field.generated or field.db_default is not NOT_PROVIDED
            for field in meta.local_concrete_fields
        ):
            raise ValueError(
                f"{model.__name__}: inherited tables and database defaults are not kept"
            )
        if list(meta.db_returning_fields) != [meta.pk]:
            raise ValueError(f"{model.__name__}: only the primary key is returned")
        fields = self._fields(pk_given)
        if any(hasattr(field, "get_placeholder") for field in fields):
            raise ValueError(f"{model.__name__}: a field with a placeholder of its own")
        places = [
            SimpleNamespace(
                **{field.attname: _Place(row * len(fields) + at) for at, field in enumerate(fields)}
            )
            for row in range(count)
        ]
        query = InsertQuery(model)
        query.insert_values(fields, places, raw=True)  # type: ignore[arg-type]  # raw: read as attributes
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = [] if pk_given else [meta.pk]
        statements = compiler.as_sql()
        if len(statements) != 1:
            raise ValueError(f"{model.__name__}: {count} rows are not one statement here")
        sql, params = statements[0]
        wanted = list(range(count * len(fields)))
        if [getattr(param, "at", None) for param in params] != wanted:
            raise ValueError(f"{model.__name__}: the values are not one placeholder each")
        return _Compiled(sql=sql, fields=tuple(fields))


@functools.cache
def kept_insert(model: type[M]) -> KeptInsert[M]:
    """The process's kept insert of ``model``."""
    return KeptInsert(model)
