"""Writing many rows fast: PostgreSQL COPY in text format on one connection and one transaction.

- `Loader` owns a psycopg2 connection of its own. Every row the generator writes in bulk goes through it in a
  single transaction: an interrupted load leaves the database as it was.
- The unique and GIN indexes stay in place while the rows go in: the server maintains them as COPY runs, on
  the second core, while the generator (one core of Python) builds the next rows. A GIN index costs about as
  much to keep up to date through its pending list as to build, and built after the last row the bigram index
  alone takes minutes on one core at 10^6 disputes. Their pending lists are flushed before the commit
  (gin_clean_pending_list), so the searches find them as a build would leave them.
- The plain B-tree indexes (neither unique nor a constraint's) are dropped first and built after the commit by
  `finish()`, several at once on its connections: kept up to date row by row they cost the server 2.5-3.5 times
  their bulk build (random keys: a notification's user, an alert's recipient), enough to make COPY, not
  Python, the bottleneck at 10^6.
- The foreign keys of the bulk tables are dropped first (a per-row trigger check would cost more than the rows),
  added back `NOT VALID` before the commit, so they hold for every later write, and validated over the whole
  table after the commit by `finish()`, beside the builds and ANALYZE. This is the atomicity given up: between
  the commit and the end of `finish()` the rows are in, but some plain indexes may be missing and the rows not
  yet proven against their foreign keys. The database's comment says so meanwhile (run.INCOMPLETE); a run that
  fails there names the statements that failed and leaves that mark, and a later run refuses the database with
  that reason.
- Tables that are empty at the start are truncated in the transaction and loaded with COPY … FREEZE: their rows
  are visible to all at once, so no vacuum is needed before index-only scans work.
- Rows are encoded by `TableWriter.add(**columns)`, generated per table from the model's field types; the columns
  the generator does not supply take the model field's default, the value Django would write
  (see disputes.loadgen.tables). COPY runs on a background thread while the main thread
  builds the next rows (psycopg2 releases the GIL while the server reads), which keeps both cores busy.
"""

from __future__ import annotations

import io
import json
import os
import queue
import threading
import time
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
    kind = type(value)
    if kind is str:
        return _text(value)
    if not value and (kind is list or kind is dict):
        return (
            "[]" if kind is list else "{}"
        )  # what json.dumps writes, most of the flags and lists being empty
    return _json(value)


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
    """One connection, one transaction, COPY on a background thread; foreign keys, plain B-trees dropped meanwhile."""

    def __init__(self, dsn: dict, sink=None, tee=None):
        """`sink(table, data)`, when given, receives the COPY data instead of the database, and commit() rolls
        back: a dry run that builds every row and keeps none (to time the generator, or to compare two runs).
        `tee(table, data)` receives a copy of what goes to the database."""
        import psycopg2

        self.dsn = dsn
        self.sink = sink
        self.tee = tee
        self.connection = psycopg2.connect(**dsn)
        self.connection.autocommit = False
        # Up to 64 MiB of rows waiting for COPY: the server's index maintenance comes in bursts (GIN pending-list
        # cleanups) and the generator should not wait for each.
        self._queue: queue.Queue = queue.Queue(maxsize=16)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.tables: list[str] = []  # the bulk tables
        self._dropped: list[tuple[str, str, str]] = []  # (table, foreign key, its definition), in drop order
        self.indexes: list[
            tuple[str, str, str]
        ] = []  # (table, index, its definition): built after the commit
        self.copied_bytes = 0
        self.waited = 0.0  # seconds the generator waited for COPY to take its rows
        with self.connection.cursor() as cursor:
            # Session settings only: the server's configuration is not touched. GIN indexes take new rows into
            # their pending list and merge it into the index in batches of gin_pending_list_limit, sorted in
            # work_mem: large batches merge faster.
            for setting in SESSION_SETTINGS:
                cursor.execute(setting)
            cursor.execute("SET work_mem = '256MB'")
            cursor.execute("SET gin_pending_list_limit = '64MB'")
            cursor.execute("SELECT pg_backend_pid()")
            self._pid = cursor.fetchone()[0]

    def execute(self, sql: str, params=None):
        self.join()  # the connection is the COPY thread's while it runs
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def server_seconds(self) -> float | None:
        """CPU seconds the loader's server process has used, when the server runs on this machine."""
        return _cpu_seconds(self._pid)

    # --- schema while loading --------------------------------------------------------------------------------

    def prepare(self, tables: list[str]) -> list[str]:
        """Drop the foreign keys and plain B-tree indexes of `tables`; truncate the empty ones. Returns the tables
        truncated (they are loaded with FREEZE)."""
        self.tables = list(tables)
        empty = [t for t in tables if not self.execute(f'SELECT EXISTS (SELECT 1 FROM "{t}")')[0][0]]
        empty = self._truncatable(empty)
        if empty:
            self.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in empty))
        for table in tables:
            self._drop_foreign_keys(table)
        for table in tables:
            self._drop_btree_indexes(table)
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

    def _drop_foreign_keys(self, table: str) -> None:
        rows = self.execute(
            """
            SELECT c.conname, pg_get_constraintdef(c.oid)
              FROM pg_constraint c
             WHERE c.conrelid = %s::regclass AND c.contype = 'f'
             ORDER BY c.conname
            """,
            [table],
        )
        for name, definition in rows:
            self.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            self._dropped.append((table, name, definition))

    def _drop_btree_indexes(self, table: str) -> None:
        """The plain B-tree indexes (not unique, not a constraint's): finish() builds them after the commit."""
        rows = self.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
              FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam
             WHERE x.indrelid = %s::regclass AND a.amname = 'btree' AND NOT x.indisprimary AND NOT x.indisunique
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
             ORDER BY i.relname
            """,
            [table],
        )
        for name, definition in rows:
            self.execute(f'DROP INDEX "{name}"')
            self.indexes.append((table, name, definition))

    def restore(self) -> list[tuple[str, str]]:
        """Add back the foreign keys prepare() dropped, NOT VALID (no check of the rows already in: finish()
        validates them after the commit), and flush the GIN indexes' pending lists. Returns the (table, foreign
        key) pairs left to validate."""
        self.join()
        for table, name, definition in self._dropped:
            self.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition} NOT VALID')
        for (index,) in self.execute(
            """
            SELECT i.oid::regclass::text
              FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam
             WHERE a.amname = 'gin' AND x.indrelid::regclass::text = ANY(%s)
             ORDER BY 1
            """,
            [self.tables],
        ):
            self.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        pending = [(table, name) for table, name, _definition in self._dropped]
        self._dropped = []
        return pending

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
        item = (writer.copy_sql(), data)
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            started = time.perf_counter()
            self._queue.put(item)
            self.waited += time.perf_counter() - started

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


# Every connection of the generator: session settings only (the server's configuration is not touched).
SESSION_SETTINGS = [
    "SET maintenance_work_mem = '2GB'",  # VALIDATE's check query runs with work_mem = maintenance_work_mem
    "SET synchronous_commit = off",
]


def _cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


# --- after the commit: the checks on several connections ----------------------------------------------------


class CheckFailed(RuntimeError):
    """A step of finish() failed: the rows are committed, that check did not pass."""


def finish(dsn: dict, jobs: list[tuple[str, list[str], bool]], workers: int = 3) -> dict[str, float]:
    """Run `jobs` on `workers` connections at once (autocommit), each job's statements in order on one connection.

    A job is (table, statements, builds): the index builds (builds=True, one index a job) run in any order,
    several on one table at once (CREATE INDEX takes a SHARE lock); a table's other job (its VALIDATE CONSTRAINTs,
    then ANALYZE, which take the table's SHARE UPDATE EXCLUSIVE lock) waits until its builds are done, so no
    connection waits for another's lock. Free connections take the first job they may in the order given (the
    largest first). Returns the seconds spent per kind of statement (summed over the connections); raises
    CheckFailed naming every statement that failed, after all the others have run."""
    import psycopg2

    condition = threading.Condition()
    waiting = list(jobs)
    builds_left: dict[str, int] = {}  # table → its builds not finished
    for table, _statements, builds in jobs:
        if builds:
            builds_left[table] = builds_left.get(table, 0) + 1
    spent: dict[str, float] = {}
    failures: list[str] = []
    connections = []
    stopped = False

    def take():
        with condition:
            while waiting and not stopped:
                for n, (table, _statements, builds) in enumerate(waiting):
                    if builds or not builds_left.get(table):
                        return waiting.pop(n)
                condition.wait()
            return None

    def done(table, builds):
        with condition:
            if builds:
                builds_left[table] -= 1
            condition.notify_all()

    def work():
        try:
            connection = psycopg2.connect(**dsn)
        except psycopg2.Error as exc:
            with condition:
                failures.append(f"a connection could not be opened: {exc}")
            return
        connection.autocommit = True
        with condition:
            connections.append(connection)
        try:
            with connection.cursor() as cursor:
                for setting in SESSION_SETTINGS:
                    cursor.execute(setting)
                while (job := take()) is not None:
                    table, statements, builds = job
                    try:
                        for statement in statements:
                            started = time.perf_counter()
                            try:
                                cursor.execute(statement)
                            except psycopg2.Error as exc:
                                with condition:
                                    failures.append(f"{statement}: {str(exc).strip()}")
                                if connection.closed:
                                    raise
                                continue
                            kind = (
                                "CREATE INDEX"
                                if builds
                                else "VALIDATE"
                                if statement.startswith("ALTER")
                                else "ANALYZE"
                            )
                            with condition:
                                spent[kind] = spent.get(kind, 0.0) + time.perf_counter() - started
                    finally:
                        done(table, builds)
        except BaseException as exc:
            with condition:
                failures.append(f"a connection failed: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, name=f"finish-{n}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:
        # Interrupted: take no more jobs, stop the statements running.
        with condition:
            stopped = True
            condition.notify_all()
            for connection in connections:
                if not connection.closed:
                    connection.cancel()
        raise
    if failures:
        raise CheckFailed("\n  ".join(failures))
    return spent
