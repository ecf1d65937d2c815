"""Querysets compiled once per database connection and run again with new values.

Django builds and compiles a queryset's SQL every time it is evaluated: a read of one
small row costs 0.6 to 1.2 ms of CPU where running the same SQL through Django's cursor
costs 0.2 to 0.3 ms (bench/README.md, "Fewer instructions per order, second pass"), and
the variants' facts of a checkout, with four subqueries, cost more than 1 ms to compile
alone. For a read of a fixed shape on the way of every order, :class:`KeptStatement`
keeps the SQL Django compiled for a queryset, per connection, and runs it again through
Django's cursor with the values of each call, converting the rows with the compiler's own
converters into what the queryset gives (model instances with their ``select_related``
relations and annotations, or ``values()`` dictionaries). The rule stays written once,
as the queryset; no SQL is written by hand.

A value that changes from one call to the next is a :class:`Slot` in the queryset (in a
filter, an annotation or an alias), named, with the field that prepares its value for the
database; :func:`slots` gives one per member of an ``__in`` list. The statement is
compiled for that many members: a caller keeps one statement per count
(``functools.lru_cache`` on a function of the count), and a list of another length is
refused rather than run with the wrong parameters. ``None`` is refused too (the SQL was
compiled for a value; Django writes ``IS NULL`` for none).

Where the ORM cannot write a statement on every engine (SQLite cannot order and cut the
parts of a ``UNION`` the ORM writes), :class:`KeptComposition` writes only what is around
the SQL Django compiled for each part, kept the same way: the rules stay in the querysets.

What a kept statement does not do: prefetching, known related objects, and
``values_list()`` (refused when it is made). A queryset that locks
(``select_for_update``) is refused outside a transaction on every run, as Django refuses
it when it compiles. The database is chosen by the router on each run, as the queryset
would choose it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar
from weakref import WeakKeyDictionary

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BigIntegerField, Expression, Field, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # not in the stubs
    ModelIterable,
    ValuesIterable,
    get_related_populators,
)
from django.db.transaction import TransactionManagementError

Row = TypeVar("Row")


class _Marker(NamedTuple):
    """Where a slot's value goes in the compiled parameters, and the field preparing it."""

    name: str
    member: int | None  # its place in a list of slots, None for one value
    field: Field[Any, Any]


class Slot(Expression):
    """A value of a kept statement given on each run (``KeptStatement.rows(name=...)``),
    prepared for the database by ``output_field`` as a ``Value`` of it would be."""

    def __init__(self, name: str, output_field: Field[Any, Any], index: int | None = None):
        super().__init__(output_field=output_field)
        self.name = name
        self.index = index

    def __repr__(self) -> str:
        member = "" if self.index is None else f"[{self.index}]"
        return f"Slot({self.name}{member})"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [_Marker(self.name, self.index, self.output_field)]

    def get_group_by_cols(self) -> list[Any]:
        return []


# The field of a slot holding a row's id (or a foreign key's), as the shop's keys are.
ID_FIELD: BigIntegerField[int, int] = BigIntegerField()


def slots(name: str, output_field: Field[Any, Any], count: int) -> list[Slot]:
    """``count`` slots for the members of a list named ``name`` (``field__in=slots(...)``)."""
    return [Slot(name, output_field, index) for index in range(count)]


@dataclass(frozen=True)
class _Compiled:
    """A queryset's SQL for one connection, with what turns its rows into results."""

    sql: str  # empty: the queryset can match nothing (an empty ``__in`` list)
    params: tuple[Any, ...]
    slotted: tuple[tuple[int, _Marker], ...]  # (position in params, the slot there)
    counts: dict[str, int | None]  # by slot name: members of its list, None for one value
    converters: dict[int, Any]
    width: int | None  # the columns to keep of a row, when the SQL selects more
    compiler: Any
    read: Callable[[Iterable[list[Any]]], list[Any]]
    locks: bool


class KeptStatement(Generic[Row]):
    """A queryset whose SQL is compiled once per connection and run again with the values
    of its slots: :meth:`rows` gives what iterating the queryset with those values would
    give. Keep one per shape (per process, e.g. with ``functools.lru_cache``)."""

    def __init__(self, queryset: QuerySet[Any, Row]) -> None:
        if queryset._iterable_class not in (ModelIterable, ValuesIterable):
            raise ValueError("only model instances and values() are kept")
        if queryset._prefetch_related_lookups or queryset._known_related_objects:  # type: ignore[attr-defined]
            raise ValueError("prefetching and known related objects are not kept")
        self._queryset = queryset
        # By connection (a thread's own, as Django keeps them): a connection lives as long
        # as its thread, and what it compiled is read with its converters. Weak keys: a
        # thread that ends (a web server's thread replaced) leaves nothing behind here.
        self._compiled: WeakKeyDictionary[BaseDatabaseWrapper, _Compiled] = WeakKeyDictionary()

    def rows(self, **values: Any) -> list[Row]:
        """The queryset's results with these slot values (a list for a list of slots)."""
        alias = self._queryset.db
        connection = connections[alias]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(alias)
        if not compiled.sql:
            return []
        params = _params(compiled, values, connection)
        if compiled.locks and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched: Sequence[Any] = cursor.fetchall()
        if compiled.width is not None:
            fetched = [row[: compiled.width] for row in fetched]
        converted: Iterable[list[Any]] = (
            compiled.compiler.apply_converters(fetched, compiled.converters)
            if compiled.converters
            else map(list, fetched)
        )
        return compiled.read(converted)

    def first(self, **values: Any) -> Row | None:
        """The first result with these slot values, or None (a statement of one row at
        most: a key's)."""
        found = self.rows(**values)
        return found[0] if found else None

    def get(self, **values: Any) -> Row:
        """The one result with these slot values; raises the model's ``DoesNotExist`` as
        ``QuerySet.get()`` does when there is none."""
        found = self.first(**values)
        if found is None:
            model = self._queryset.model
            raise model.DoesNotExist(f"{model.__name__} matching query does not exist.")
        return found

    def _compile(self, alias: str) -> _Compiled:
        # A copy: the compiler adds select_related's joins to the query it compiles, and
        # threads of one process compile the same kept statement for their connections.
        compiler = self._queryset.query.clone().get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            sql, params = "", ()
        slotted = tuple(
            (position, param) for position, param in enumerate(params) if isinstance(param, _Marker)
        )
        columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slotted=slotted,
            counts=_counts(slotted),
            converters=compiler.get_converters(columns) if sql else {},
            width=compiler.col_count if sql and compiler.has_extra_select else None,
            compiler=compiler,
            read=self._reader(compiler, alias) if sql else list,
            locks=bool(self._queryset.query.select_for_update),
        )

    def _reader(self, compiler: Any, alias: str) -> Callable[[Iterable[list[Any]]], list[Any]]:
        """What ``ModelIterable`` or ``ValuesIterable`` makes of the converted rows."""
        query = self._queryset.query
        if self._queryset._iterable_class is ValuesIterable:
            names = list(query.selected or {}) or [
                *query.extra_select,
                *query.values_select,
                *query.annotation_select,
            ]
            return lambda rows: [dict(zip(names, row, strict=False)) for row in rows]
        klass_info, select = compiler.klass_info, compiler.select
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        attnames = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        annotations = list(compiler.annotation_col_map.items())

        def read(rows: Iterable[list[Any]]) -> list[Any]:
            made = []
            for row in rows:
                instance = model.from_db(alias, attnames, row[start:end])
                for populator in populators:
                    populator.populate(row, instance)
                for name, position in annotations:
                    setattr(instance, name, row[position])
                made.append(instance)
            return made

        return read


_PART = re.compile(r"\{(\w+)\}")


class KeptComposition:
    """SQL written around the SQL of querysets (what the ORM cannot write on every engine:
    a ``UNION`` of ordered and cut parts, ordered and cut again, on SQLite), compiled once
    per connection and run again with the values of their slots. ``template`` names each
    queryset of ``parts`` as ``{name}`` and takes its own ``params`` (values or slots) as
    ``%s``, in order. :meth:`rows` gives the rows as the cursor does (tuples): columns that
    need no conversion only."""

    def __init__(self, template: str, parts: dict[str, QuerySet[Any]], params: list[Any]) -> None:
        self._template, self._parts, self._own = template, parts, params
        self._compiled: WeakKeyDictionary[BaseDatabaseWrapper, _Compiled] = WeakKeyDictionary()

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """The rows of the statement with these slot values."""
        sql, params = self.statement(**values)
        with connections[next(iter(self._parts.values())).db].cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def statement(self, **values: Any) -> tuple[str, tuple[Any, ...]]:
        """The SQL and its parameters with these slot values, not run: for a part of a
        statement written out around it (a subquery repeated in a search's candidates)."""
        alias = next(iter(self._parts.values())).db
        connection = connections[alias]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(alias)
        return compiled.sql, _params(compiled, values, connection)

    def _compile(self, alias: str) -> _Compiled:
        sql: list[str] = []
        params: list[Any] = []
        own = iter(self._own)
        for place, piece in enumerate(_PART.split(self._template)):
            if place % 2:  # a part's name
                part = self._parts[piece].query.clone()  # a copy, as KeptStatement compiles
                part_sql, part_params = part.get_compiler(using=alias).as_sql()
                sql.append(part_sql)
                params += part_params
            else:
                sql.append(piece)
                params += [next(own) for _ in range(piece.count("%s"))]
        params = [
            _Marker(param.name, param.index, param.output_field)
            if isinstance(param, Slot)
            else param
            for param in params
        ]
        slotted = tuple(
            (at, param) for at, param in enumerate(params) if isinstance(param, _Marker)
        )
        return _Compiled(
            sql="".join(sql),
            params=tuple(params),
            slotted=slotted,
            counts=_counts(slotted),
            converters={},
            width=None,
            compiler=None,
            read=list,
            locks=False,
        )


def _counts(slotted: tuple[tuple[int, _Marker], ...]) -> dict[str, int | None]:
    """By slot name: the members of its list, None for one value."""
    counts: dict[str, int | None] = {}
    for marker in {marker for _, marker in slotted}:
        known = counts.get(marker.name)
        counts[marker.name] = None if marker.member is None else (known or 0) + 1
    return counts


def _params(
    compiled: _Compiled, values: dict[str, Any], connection: BaseDatabaseWrapper
) -> tuple[Any, ...]:
    """The compiled parameters with each slot's value prepared for the database; values
    that do not match the slots (a name missing or unknown, a list of another length than
    its slots, ``None``) are refused."""
    if set(values) != set(compiled.counts):
        raise TypeError(f"slot values {sorted(values)} given, {sorted(compiled.counts)} wanted")
    for name, count in compiled.counts.items():
        given = values[name]
        if count is not None and (not isinstance(given, list | tuple) or len(given) != count):
            raise ValueError(f"{name}: {count} values wanted, as many as its slots")
    params = list(compiled.params)
    for position, marker in compiled.slotted:
        value = values[marker.name] if marker.member is None else values[marker.name][marker.member]
        if value is None:
            raise ValueError(f"{marker.name}: None is not a value of a kept statement")
        params[position] = marker.field.get_db_prep_value(value, connection)
    return tuple(params)
