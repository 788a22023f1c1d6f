"""Hot-path statements written as SQL, which PostgreSQL prepares once per connection.

The direct AC runs the same dozen statements for every payment. Built through the ORM, each is compiled again
by Django on every request and parsed and planned again by PostgreSQL (planning the six-table locking read
alone costs about a millisecond). Written once as SQL text with `%s` parameters and run through `cursor()`,
they are compiled by nobody, and PostgreSQL plans each once per connection:

- On PostgreSQL `cursor()` is a psycopg 3 server-binding cursor on Django's connection that prepares every
  statement it runs (psycopg keeps the prepared statements per connection: a new connection, after
  CONN_MAX_AGE or a broken one, prepares them again). Django's own cursors bind on the client, which
  cannot prepare.
- On other databases (SQLite in development and tests) it is Django's cursor, running the same text.

Either way the cursor is Django's wrapper: errors become Django's (IntegrityError...), a broken
transaction is refused, and the statements show in `connection.queries` and the tests' query counts.

Values go in as the ORM would send them (`adapt_datetime`) and come out as it would read them (`convert`),
so both databases give the same rows. Raw SQL sends no model signals: the callers do their receivers' work
themselves (for the AC: dropping the person's kept pages, see payments/services.py).
"""

import functools

from django.db import connection

try:
    import psycopg
except ImportError:  # pragma: no cover - psycopg 3 comes with the PostgreSQL setups
    psycopg = None


if psycopg is not None:

    class PreparingCursor(psycopg.Cursor):
        """A psycopg cursor binding on the server that asks PostgreSQL to prepare each statement it runs."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)


def cursor():
    """A cursor for hot statements: prepared once per connection on PostgreSQL, Django's elsewhere.

    Preparing costs a round trip of its own, so a connection closed after each request (CONN_MAX_AGE = 0)
    binds on the server without preparing; so does one whose `prepare_threshold` option is None.
    """
    if connection.vendor != "postgresql" or psycopg is None:
        return connection.cursor()
    connection.ensure_connection()
    persistent = connection.settings_dict["CONN_MAX_AGE"] != 0
    raw = (PreparingCursor if persistent else psycopg.Cursor)(connection.connection)
    connection.validate_thread_sharing()
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def adapt_datetime(value):
    """An aware datetime as the database takes it (SQLite: naive UTC text; PostgreSQL: as it is)."""
    return connection.ops.adapt_datetimefield_value(value)


# Per database vendor: the converters of one thread's connection serve every thread's (they read only the
# settings and the connection's time zone, the same for all).
@functools.cache
def _converters(vendor: str, fields: tuple) -> tuple:
    return tuple(
        (
            index,
            tuple(connection.ops.get_db_converters(field.cached_col) + field.get_db_converters(connection)),
            field.cached_col,
        )
        for index, field in enumerate(fields)
    )


def convert(values, fields) -> list:
    """A row read with raw SQL, as the ORM reads these `fields` (aware datetimes and Decimals on SQLite too).

    `fields`: a tuple of model fields, one per column.
    """
    row = list(values)
    for index, functions, expression in _converters(connection.vendor, fields):
        value = row[index]
        for function in functions:
            value = function(value, expression, connection)
        row[index] = value
    return row


@functools.cache
def _insert_statement(model) -> tuple[str, tuple]:
    meta = model._meta
    fields = tuple(field for field in meta.concrete_fields if not field.primary_key)
    columns = ", ".join(f'"{field.column}"' for field in fields)
    values = ", ".join("%s" for _ in fields)
    text = f'INSERT INTO "{meta.db_table}" ({columns}) VALUES ({values}) RETURNING "{meta.pk.column}"'  # noqa: S608
    return text, fields


# The statements below are made from model identifiers only; every value is a parameter.


def insert(instance) -> None:
    """INSERT a new row from a model instance, as save() would, without compiling or signals; sets its pk."""
    sql, fields = _insert_statement(type(instance))
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with cursor() as running:
        running.execute(sql, params)
        instance.pk = running.fetchone()[0]
    instance._state.adding = False
    instance._state.db = connection.alias


@functools.cache
def _update_statement(model, names: tuple[str, ...]) -> tuple[str, tuple]:
    meta = model._meta
    fields = tuple(meta.get_field(name) for name in names)
    assignments = ", ".join(f'"{field.column}" = %s' for field in fields)
    text = f'UPDATE "{meta.db_table}" SET {assignments} WHERE "{meta.pk.column}" = %s'  # noqa: S608
    return text, fields


def update(instance, names: tuple[str, ...]) -> None:
    """save(update_fields=names) without compiling or signals (auto_now fields named are stamped as there)."""
    sql, fields = _update_statement(type(instance), names)
    params = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields]
    with cursor() as running:
        running.execute(sql, [*params, instance.pk])
