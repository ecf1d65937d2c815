"""Hand-written SQL for the statements every order runs, with what the ORM does around
its own: each value prepared by its field for the database in use, and rows made into
model instances with the database's converters, so the rest of the code sees the same
instances the ORM would give.

Why: building a statement with the ORM costs several times what PostgreSQL takes to
run it (for a checkout's forty statements, most of the shop's CPU; bench/README.md).
The places that run once per order (carts, placing, paying, the ledger) use this; the
rest of the shop uses the ORM. Statements are written for PostgreSQL and SQLite alike
(the embedded first run): ``lock()`` is empty where rows cannot be locked.

Nothing here sends signals: it is used only for models no receiver listens to.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

from shop.core.money import quantize

M = TypeVar("M", bound=Model)
Params = Sequence[Any] | Mapping[str, Any]


def db() -> BaseDatabaseWrapper:
    """The default database's connection of this thread, looked up once for a statement
    (``django.db.connection`` looks it up again at each attribute it is asked for)."""
    return connections[DEFAULT_DB_ALIAS]


def table(model: type[Model]) -> str:
    return model._meta.db_table


def statement_cursor() -> contextlib.AbstractContextManager[Any]:
    """A cursor for one statement of this thread's connection.

    Django's cursor wrapper costs, per statement, about as much Python as the driver
    itself (a wrapper object, execute wrappers, checks, the driver's cursor with its
    adapters built anew). On PostgreSQL, where nobody records statements (tests
    counting them, ``DEBUG``) and no other thread shares the connection, the driver's
    cursor is kept with the connection and reused, its errors turned into Django's as
    the wrapper does; otherwise it is Django's own cursor."""
    connection = db()
    if (
        connection.vendor != "postgresql"
        or connection.queries_logged
        or connection.execute_wrappers
        or connection.allow_thread_sharing
    ):
        return connection.cursor()
    return _kept_cursor(connection)


@contextlib.contextmanager
def _kept_cursor(connection: Any) -> Iterator[Any]:
    connection.validate_no_broken_transaction()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    driver = connection.connection
    kept = getattr(connection, "_shop_kept_cursor", None)
    if kept is None or kept[0] is not driver or kept[1] != connection.timezone or kept[2].closed:
        with connection.wrap_database_errors:
            kept = (driver, connection.timezone, connection.create_cursor())
        connection._shop_kept_cursor = kept
    with connection.wrap_database_errors:
        yield kept[2]


def rows(sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def row(sql: str, params: Params = ()) -> tuple[Any, ...] | None:
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def execute(sql: str, params: Params = ()) -> int:
    """Run a statement; returns the number of rows it changed."""
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def lock(*, of: str = "", shared: bool = False) -> str:
    """``FOR NO KEY UPDATE [OF of]`` (``FOR SHARE`` when ``shared``) where rows can be
    locked; nothing on SQLite, which runs one writer at a time. No key: the shop never
    changes a locked row's key, and a plain FOR UPDATE would also hold off every
    transaction that only checks a foreign key to the row (PostgreSQL's KEY SHARE at
    commit), which is how payments and shipments deadlocked."""
    features = db().features
    if not features.has_select_for_update:
        return ""
    clause = " FOR SHARE" if shared else " FOR NO KEY UPDATE"
    if of and features.has_select_for_update_of:
        clause += f" OF {of}"
    return clause


def value(field: Field, python_value: Any) -> Any:
    """A value as ``field`` sends it to the database in use (a date, a JSON document)."""
    return field.get_db_prep_save(python_value, db())


def money(read: Any) -> Decimal:
    """An amount as hand-written SQL reads it: PostgreSQL answers a Decimal, SQLite a
    number."""
    return read if isinstance(read, Decimal) else quantize(Decimal(str(read)))


def now_param(moment: Any) -> Any:
    """A datetime parameter for a statement compared with a datetime column."""
    return db().ops.adapt_datetimefield_value(moment)


class Columns:
    """Some columns of a model, read by hand-written SQL and made into instances the way
    the ORM makes them (the fields not read are deferred). The columns come in the
    model's order of fields, whatever order they are named in."""

    def __init__(self, model: type[Model], *names: str) -> None:
        self.model = model
        wanted = {model._meta.get_field(name) for name in names}
        self.fields: list[Field] = [f for f in model._meta.concrete_fields if f in wanted]
        if len(self.fields) != len(wanted):
            raise ValueError(f"not all concrete fields of {model.__name__}: {names}")
        self.attnames = [field.attname for field in self.fields]
        self._converters: dict[str, list[tuple[int, list[Any], Any]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self, alias: str) -> str:
        return ", ".join(f"{alias}.{field.column}" for field in self.fields)

    def converters(self) -> list[tuple[int, list[Any], Any]]:
        """Per column that needs it: its converters and the expression they expect."""
        connection = db()
        found = self._converters.get(connection.vendor)
        if found is None:
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.model._meta.db_table)
                functions = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if functions:
                    found.append((index, functions, column))
            self._converters[connection.vendor] = found
        return found

    def build(self, values: Sequence[Any]) -> Any:
        """An instance of the model from this row's values, in column order."""
        converters = self.converters()
        if converters:
            connection = db()
            values = list(values)
            for index, functions, column in converters:
                for convert in functions:
                    values[index] = convert(values[index], column, connection)
        return self.model.from_db(DEFAULT_DB_ALIAS, self.attnames, values)


def cast_type(field: Field, connection: Any) -> str:
    """The column type of ``field`` to cast a parameter to, without its length or
    precision (so nothing is cut): ``varchar(30)`` is ``varchar``, ``timestamp(3) with
    time zone`` is ``timestamp with time zone``."""
    return re.sub(r"\(\s*\d+(\s*,\s*\d+)?\s*\)", "", str(field.db_type(connection)))


@functools.lru_cache(maxsize=256)
def _values_sql(model: type[Model], columns: tuple[str, ...], count: int, vendor: str) -> str:
    if vendor == "postgresql" and count > 1:
        # As bulk_create does there: one array per column, typed without the type's
        # length (so nothing is cut). The text is the same whatever the number of rows,
        # so the driver keeps it converted and the server keeps it prepared.
        by_column = {field.column: field for field in model._meta.concrete_fields}
        connection = db()
        types = [cast_type(by_column[column], connection) for column in columns]
        arrays = ", ".join(f"(%s)::{db_type}[]" for db_type in types)
        return f"SELECT * FROM UNNEST({arrays})"  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return "VALUES " + ", ".join([one] * count)


def values(
    model: type[Model], columns: Sequence[str], value_rows: Sequence[Sequence[Any]]
) -> tuple[str, list[Any]]:
    """Rows of values for the named columns of ``model``'s table, as the source of an
    INSERT: the SQL and its parameters."""
    sql = _values_sql(model, tuple(columns), len(value_rows), db().vendor)
    if sql.startswith("VALUES"):
        return sql, [one for found in value_rows for one in found]
    return sql, [list(column) for column in zip(*value_rows, strict=True)]


# Fields whose value, when it is already of the Python type named here (or None), goes
# to every database as it is: preparing it would give it back unchanged.
_PLAIN = (
    (models.CharField, str),
    (models.TextField, str),
    (models.BooleanField, bool),
    (models.IntegerField, int),
    (models.ForeignKey, int),  # every id in the shop is an integer
)


def _plain_type(field: Field) -> type | None:
    for kind, plain in _PLAIN:
        if isinstance(field, kind):
            return plain
    return None


@functools.lru_cache(maxsize=128)
def _inserted(model: type[Model], with_pk: bool) -> tuple[tuple[Field, type | None], ...]:
    """The fields an insert writes, each with the type of a value it needs not prepare."""
    return tuple(
        (field, _plain_type(field))
        for field in model._meta.concrete_fields
        if with_pk or not field.primary_key
    )


def _prepared(obj: Model, field: Field, plain: type | None, connection: Any) -> Any:
    found = field.pre_save(obj, True)
    if found is None or type(found) is plain:
        return found
    return field.get_db_prep_save(found, connection)


def insert(objects: Sequence[M]) -> list[M]:
    """Insert new instances of one model in one statement, as ``bulk_create`` does: every
    field's value as it prepares it for saving (defaults and ``auto_now_add`` filled in),
    the id too when the instances have one, else the new ids set on them, in order.
    Returns the instances."""
    if not objects:
        return list(objects)
    connection = db()
    model = type(objects[0])
    meta = model._meta
    with_pk = objects[0].pk is not None
    fields = _inserted(model, with_pk)
    columns = [field.column for field, _ in fields]
    source, params = values(
        model,
        columns,
        [[_prepared(obj, field, plain, connection) for field, plain in fields] for obj in objects],
    )
    pk = meta.pk
    assert pk is not None
    has_pk = with_pk
    sql = f"INSERT INTO {meta.db_table} ({', '.join(columns)}) {source}"
    if not has_pk:
        sql += f" RETURNING {pk.column}"
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        ids = [] if has_pk else [found[0] for found in cursor.fetchall()]
    for index, obj in enumerate(objects):
        if not has_pk:
            setattr(obj, pk.attname, ids[index])
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS
    return list(objects)


def _update_statement(
    obj: Model, fields: Iterable[str], where: str, params: Params
) -> tuple[str, list[Any]]:
    connection = db()
    meta = type(obj)._meta
    chosen = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{field.column} = %s" for field in chosen)  # type: ignore[union-attr]
    values = [
        field.get_db_prep_save(field.pre_save(obj, False), connection)  # type: ignore[union-attr]
        for field in chosen
    ]
    pk = meta.pk
    assert pk is not None
    sql = f"UPDATE {meta.db_table} SET {assignments} WHERE {pk.column} = %s"  # noqa: S608
    if where:
        sql += f" AND ({where})"
    return sql, [*values, obj.pk, *params]


def update(obj: Model, fields: Iterable[str], *, where: str = "", params: Params = ()) -> int:
    """Write these fields of a saved instance (``auto_now`` filled in), as
    ``save(update_fields=...)`` does; ``where`` adds a condition (with its ``params``) to
    the one on its id. Returns the number of rows changed (0 when the condition failed)."""
    return execute(*_update_statement(obj, fields, where, params))


def update_then_insert(
    obj: Model, fields: Iterable[str], *, where: str = "", params: Params = (), then: Model
) -> int:
    """``update(obj, fields, where=..., params=...)`` and, only when it changed the row,
    ``insert([then])`` (a new instance, without an id; it gets one): on PostgreSQL in one
    statement, a round trip less for a change that is always recorded with its event.
    Returns the number of rows the update changed."""
    connection = db()
    if connection.vendor != "postgresql":
        changed = update(obj, fields, where=where, params=params)
        if changed:
            insert([then])
        return changed
    updating, update_params = _update_statement(obj, fields, where, params)
    model = type(then)
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    inserted = _inserted(model, False)
    columns = ", ".join(field.column for field, _ in inserted)
    casts = ", ".join(f"%s::{cast_type(field, connection)}" for field, _ in inserted)
    found = rows(
        f"WITH changed AS ({updating} RETURNING 1) INSERT INTO {meta.db_table} ({columns})"  # noqa: S608
        f" SELECT {casts} FROM changed RETURNING {pk.column}",
        [*update_params, *(_prepared(then, field, plain, connection) for field, plain in inserted)],
    )
    if found:
        setattr(then, pk.attname, found[0][0])
        then._state.adding = False
        then._state.db = DEFAULT_DB_ALIAS
    return len(found)
