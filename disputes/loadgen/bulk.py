"""Writing many rows fast: PostgreSQL COPY in text format on one connection and one transaction.

- `Loader` owns a psycopg2 connection of its own. Everything the generator writes in bulk goes through it in a
  single transaction: an interrupted run leaves the database as it was.
- Before the rows go in, each bulk table's secondary indexes, unique constraints and foreign keys are dropped
  and, after the last row, re-created from their own definitions (pg_get_indexdef, pg_get_constraintdef), so
  whatever indexes other branches add are rebuilt too, and every foreign key and unique constraint is checked
  once over the whole table. Tables that are empty at the start are truncated in the transaction and loaded
  with COPY … FREEZE: their rows are visible to all at once, so no vacuum is needed before index-only scans work.
- Rows are encoded by `TableWriter.add(**columns)`, generated per table from the model's field types; the columns
  the generator does not supply take the model field's default, the value Django would write
  (see disputes.loadgen.tables). COPY runs on a background thread while the main thread
  builds the next rows (psycopg2 releases the GIL while the server reads), which keeps both cores busy.
"""

from __future__ import annotations

import io
import json
import queue
import threading
from decimal import Decimal

# COPY text format: backslash, tab, newline and carriage return are escaped; \N is NULL.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"
FLUSH_BYTES = 4 << 20


def _text(value: str) -> str:
    # str.translate is slow; most strings need no escaping at all.
    return value if value.isprintable() and "\\" not in value else value.translate(_ESCAPES)


def _json(value) -> str:
    return _text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


_ENCODERS = {
    str: _text,
    int: str,
    bool: lambda v: "t" if v else "f",
    type(None): lambda v: NULL,
    float: repr,
    Decimal: str,
    dict: _json,
    list: _json,
}


def encode(value) -> str:
    return _ENCODERS[type(value)](value)


class TableWriter:
    """Rows of one table, encoded as COPY text and handed to the loader in chunks.

    `add(**columns)` takes exactly the columns the generator supplies (tables.COLUMNS; a missing one is a
    TypeError at once); the others take their defaults. The encoder is generated per table from the model's field
    types, because it runs once per row — tens of millions of times: integers are formatted inline, text is
    escaped only when it needs it, datetimes and dates come as the clock's literals.
    """

    def __init__(
        self, loader: Loader, table: str, supplied: list[str], kinds: dict[str, str], defaults: dict[str, str]
    ):
        self.loader = loader
        self.table = table
        self.columns = list(supplied) + [c for c in defaults if c not in supplied]
        self.supplied = list(supplied)
        self.freeze = False
        self.rows = 0
        self._lines: list[str] = []
        self._size = 0
        suffix = "".join("\t" + defaults[c] for c in self.columns[len(supplied) :])
        self.add = _compile(self, supplied, kinds, suffix)

    def flush(self) -> None:
        if self._lines:
            self._lines.append("")
            data = "\n".join(self._lines)
            self._lines.clear()  # the same list: the generated add() holds it
            self._size = 0
            self.loader.submit(self, data)

    def copy_sql(self) -> str:
        columns = ", ".join(f'"{c}"' for c in self.columns)
        return f'COPY "{self.table}" ({columns}) FROM STDIN' + (" WITH (FREEZE)" if self.freeze else "")


# How a value of each kind of column becomes COPY text, as an expression of `v` (substituted by the column).
_EXPRESSIONS = {
    "int": "{v}",
    "int?": "{_NULL if v is None else v}",
    "bool": "{'t' if v else 'f'}",
    "bool?": "{_NULL if v is None else ('t' if v else 'f')}",
    "text": "{_text(v)}",
    "text?": "{_NULL if v is None else _text(v)}",
    "literal": "{v}",  # the clock's timestamp and date literals, numbers
    "literal?": "{_NULL if v is None else v}",
    "json": "{_json_text(v)}",
    "json?": "{_NULL if v is None else _json_text(v)}",
}


def _json_text(value) -> str:
    """JSON given as text (the snapshots are built as strings) or as an object."""
    return _text(value) if type(value) is str else _json(value)


def _compile(writer: TableWriter, supplied: list[str], kinds: dict[str, str], suffix: str):
    """The table's add(): keyword-only arguments named after the columns, one f-string for the line."""
    local = {c: f"c{n}" for n, c in enumerate(supplied)}  # column names may clash with the helpers' names
    body = "\\t".join(_EXPRESSIONS[kinds[c]].replace("v", local[c]) for c in supplied)
    source = (
        f"def add(*, {', '.join(supplied)}):\n"
        + "".join(f"    {local[c]} = {c}\n" for c in supplied)
        + f'    line = f"{body}" + _suffix\n'
        + "    _lines.append(line)\n"
        + "    writer._size += len(line)\n"
        + "    writer.rows += 1\n"
        + "    if writer._size > _FLUSH:\n"
        + "        writer.flush()\n"
    )
    namespace = {
        "_NULL": NULL,
        "_text": _text,
        "_json_text": _json_text,
        "_suffix": suffix,
        "_FLUSH": FLUSH_BYTES,
        "writer": writer,
        "_lines": writer._lines,
    }
    exec(compile(source, f"<COPY encoder of {writer.table}>", "exec"), namespace)
    return namespace["add"]


class Loader:
    """One connection, one transaction, COPY on a background thread, and the indexes dropped meanwhile."""

    def __init__(self, dsn: dict, sink=None, tee=None):
        """`sink(table, data)`, when given, receives the COPY data instead of the database, and commit() rolls
        back: a dry run that builds every row and keeps none (to time the generator, or to compare two runs).
        `tee(table, data)` receives a copy of what goes to the database."""
        import psycopg2

        self.sink = sink
        self.tee = tee
        self.connection = psycopg2.connect(**dsn)
        self.connection.autocommit = False
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._dropped: list[tuple[str, str]] = []  # (kind, statement that restores it), in drop order
        self.copied_bytes = 0
        with self.connection.cursor() as cursor:
            # Session settings only: the server's configuration is not touched.
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET synchronous_commit = off")

    def execute(self, sql: str, params=None):
        self.join()  # the connection is the COPY thread's while it runs
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    # --- schema while loading --------------------------------------------------------------------------------

    def prepare(self, tables: list[str]) -> list[str]:
        """Drop the secondary indexes, unique constraints and foreign keys of `tables`; truncate the empty ones.

        Returns the tables truncated (they are loaded with FREEZE)."""
        empty = [t for t in tables if not self.execute(f'SELECT EXISTS (SELECT 1 FROM "{t}")')[0][0]]
        empty = self._truncatable(empty)
        if empty:
            self.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in empty))
        for table in tables:
            self._drop_constraints(table, "f")
        for table in tables:
            self._drop_constraints(table, "u")
            self._drop_indexes(table)
        return empty

    def _truncatable(self, empty: list[str]) -> list[str]:
        """The empty tables whose every referencing table is empty too (TRUNCATE must name them all)."""
        rows = self.execute(
            """
            SELECT c.confrelid::regclass::text, c.conrelid::regclass::text
              FROM pg_constraint c
             WHERE c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s)
            """,
            [empty],
        )
        referenced_by: dict[str, set[str]] = {}
        for parent, child in rows:
            referenced_by.setdefault(parent.strip('"'), set()).add(child.strip('"'))
        chosen = set(empty)
        changed = True
        while changed:
            changed = False
            for table in sorted(chosen):
                if not referenced_by.get(table, set()) <= chosen:
                    chosen.discard(table)
                    changed = True
        return [t for t in empty if t in chosen]

    def _drop_constraints(self, table: str, kind: str) -> None:
        rows = self.execute(
            """
            SELECT c.conname, pg_get_constraintdef(c.oid)
              FROM pg_constraint c
             WHERE c.conrelid = %s::regclass AND c.contype = %s
               -- a unique constraint that a foreign key points at must stay
               AND (c.contype <> 'u' OR NOT EXISTS (
                   SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid))
             ORDER BY c.conname
            """,
            [table, kind],
        )
        for name, definition in rows:
            self.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            self._dropped.append((kind, f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))

    def _drop_indexes(self, table: str) -> None:
        rows = self.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
              FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
             WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
             ORDER BY i.relname
            """,
            [table],
        )
        for name, definition in rows:
            self.execute(f'DROP INDEX "{name}"')
            self._dropped.append(("i", definition))

    def restore(self) -> dict[str, float]:
        """Re-create what prepare() dropped: indexes, then unique constraints, then foreign keys (each checked
        over the whole table). Returns the seconds spent on each kind."""
        import time

        self.join()
        order = {"i": 0, "u": 1, "f": 2}
        spent = {"indexes": 0.0, "unique constraints": 0.0, "foreign keys": 0.0}
        names = {"i": "indexes", "u": "unique constraints", "f": "foreign keys"}
        for kind, statement in sorted(self._dropped, key=lambda item: order[item[0]]):
            started = time.perf_counter()
            self.execute(statement)
            spent[names[kind]] += time.perf_counter() - started
        self._dropped = []
        return spent

    def set_sequences(self, tables: list[str]) -> None:
        for table in tables:
            sequence = self.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])[0][0]
            if sequence:
                self.execute(
                    f'SELECT setval(%s, GREATEST((SELECT max(id) FROM "{table}"), 1), '
                    f'(SELECT max(id) IS NOT NULL FROM "{table}"))',
                    [sequence],
                )

    # --- COPY on a thread ------------------------------------------------------------------------------------

    def submit(self, writer: TableWriter, data: str) -> None:
        if self.sink is not None:
            self.sink(writer.table, data)
            return
        if self.tee is not None:
            self.tee(writer.table, data)
        self._check()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="copy", daemon=True)
            self._thread.start()
        self._queue.put((writer.copy_sql(), data))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is not None:
                continue
            sql, data = item
            try:
                with self.connection.cursor() as cursor:
                    cursor.copy_expert(sql, io.StringIO(data), size=1 << 20)
                self.copied_bytes += len(data)
            except BaseException as exc:  # handed to the main thread by _check()
                self._error = exc

    def join(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._check()

    def _check(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def commit(self) -> None:
        self.join()
        if self.sink is not None:
            self.connection.rollback()
        else:
            self.connection.commit()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
        self.connection.rollback()
        self.connection.close()
