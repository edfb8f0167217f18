"""The docket at a million cases: counts kept per state and deadline, an index per sort,
and the search by name through an index on PostgreSQL

``docket_counts`` holds, per owner (a mediator, a mediation organisation), state and next
deadline, how many cases there are. Triggers on ``cases`` keep it in the same transaction
as every insert, delete and change of a case's state, mediator, organisation or deadline,
whoever writes it; existing cases are counted once here. On PostgreSQL the triggers are
per statement (transition tables): a bulk insert adds its counts in one upsert, in key
order, so two transactions touch the counter rows in the same order.

Each docket sort gets an (owner, key, id) index. On PostgreSQL, ``concord_grams(text)``
gives every substring of one to three characters of a lower-cased text; a GIN index on
it for the debtor's name and for its pinyin finds a name by a part of it (pg_trgm needs
three characters, and most Chinese names have two or three: 王伟 has no trigram); a second
one per text leads with the mediator (btree_gin), for a mediator's own search. SQLite
keeps its LIKE.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05

"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

_SORT_INDEXES = tuple(
    (f"ix_cases_{owner}_{name}", [column, key, "id"])
    for owner, column in (("mediator", "mediator_id"), ("org", "mediation_org_id"))
    for name, key in (
        ("activity", "last_activity_at"),
        ("amount", "claim_total"),
        ("deadline", "next_deadline"),
    )
)
_NO_DEADLINE = "9999-12-31"

# --- PostgreSQL ---------------------------------------------------------------------------

_PG_DELTAS = """
    SELECT scope, owner_id, state, deadline, sum(delta)::int AS n FROM (
        {parts}
    ) AS changes GROUP BY scope, owner_id, state, deadline
"""
_PG_PART = """
        SELECT 'mediator' AS scope, mediator_id AS owner_id, state,
               coalesce(next_deadline, DATE '{none}') AS deadline, {sign} AS delta
        FROM {table} WHERE mediator_id IS NOT NULL
        UNION ALL
        SELECT 'org', mediation_org_id, state,
               coalesce(next_deadline, DATE '{none}'), {sign}
        FROM {table}
"""
_PG_UPSERT = """
    INSERT INTO docket_counts (scope, owner_id, state, deadline, n)
    SELECT * FROM ({deltas}) AS d WHERE d.n <> 0
    ORDER BY scope, owner_id, state, deadline
    ON CONFLICT (scope, owner_id, state, deadline)
    DO UPDATE SET n = docket_counts.n + EXCLUDED.n;
"""


def _pg_part(table: str, sign: int) -> str:
    return _PG_PART.format(table=table, sign=sign, none=_NO_DEADLINE)


_PG_TRIGGERS = {
    "insert": _pg_part("new_rows", 1),
    "delete": _pg_part("old_rows", -1),
    "update": _pg_part("new_rows", 1) + " UNION ALL " + _pg_part("old_rows", -1),
}
_PG_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
    "update": "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows",
}

_PG_GRAMS = """
CREATE FUNCTION concord_grams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(lower(value), i, k)), '{}')
    FROM generate_series(1, char_length(value)) AS i, generate_series(1, 3) AS k
    WHERE i + k - 1 <= char_length(value)
$$
"""


_PG_GRAM_INDEXES = (("name", "debtor_name"), ("pinyin", "debtor_name_pinyin"))


def _upgrade_postgresql() -> None:
    for op_name, parts in _PG_TRIGGERS.items():
        deltas = _PG_DELTAS.format(parts=parts)
        op.execute(
            f"CREATE FUNCTION docket_counts_{op_name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{_PG_UPSERT.format(deltas=deltas)}\nRETURN NULL;\nEND\n$$"
        )
        op.execute(
            f"CREATE TRIGGER docket_counts_{op_name} AFTER {op_name.upper()} ON cases "
            f"{_PG_REFERENCING[op_name]} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION docket_counts_{op_name}()"
        )
    op.execute(_PG_GRAMS)
    # btree_gin: the mediator's id in the same GIN index as the pieces, so a mediator's
    # search reads only their own matches (a trusted extension: the database's owner may
    # create it).
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name, column in _PG_GRAM_INDEXES:
        op.execute(f"CREATE INDEX ix_cases_{name}_grams ON cases USING gin (concord_grams({column}))")
        op.execute(
            f"CREATE INDEX ix_cases_mediator_{name}_grams ON cases USING gin "
            f"(mediator_id, concord_grams({column}))"
        )


def _downgrade_postgresql() -> None:
    for name, _column in _PG_GRAM_INDEXES:
        op.execute(f"DROP INDEX ix_cases_mediator_{name}_grams")
        op.execute(f"DROP INDEX ix_cases_{name}_grams")
    op.execute("DROP EXTENSION IF EXISTS btree_gin")
    op.execute("DROP FUNCTION concord_grams(text)")
    for op_name in _PG_TRIGGERS:
        op.execute(f"DROP TRIGGER docket_counts_{op_name} ON cases")
        op.execute(f"DROP FUNCTION docket_counts_{op_name}()")


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_bump(row: str, delta: int) -> str:
    """One row's counts moved by ``delta`` (row is NEW or OLD)."""
    statements = []
    for scope, owner in (("mediator", "mediator_id"), ("org", "mediation_org_id")):
        statements.append(
            "INSERT INTO docket_counts (scope, owner_id, state, deadline, n) "
            f"SELECT '{scope}', {row}.{owner}, {row}.state, "
            f"coalesce({row}.next_deadline, '{_NO_DEADLINE}'), {delta} "
            f"WHERE {row}.{owner} IS NOT NULL "
            "ON CONFLICT (scope, owner_id, state, deadline) "
            f"DO UPDATE SET n = n + ({delta});"
        )
    return "\n".join(statements)


_SQLITE_TRIGGERS = {
    "docket_counts_insert": f"AFTER INSERT ON cases BEGIN {_sqlite_bump('NEW', 1)} END",
    "docket_counts_delete": f"AFTER DELETE ON cases BEGIN {_sqlite_bump('OLD', -1)} END",
    "docket_counts_update": (
        "AFTER UPDATE OF state, mediator_id, mediation_org_id, next_deadline ON cases "
        "WHEN OLD.state IS NOT NEW.state OR OLD.mediator_id IS NOT NEW.mediator_id "
        "OR OLD.mediation_org_id IS NOT NEW.mediation_org_id "
        "OR OLD.next_deadline IS NOT NEW.next_deadline "
        f"BEGIN {_sqlite_bump('OLD', -1)}\n{_sqlite_bump('NEW', 1)} END"
    ),
}


# --- both ---------------------------------------------------------------------------------


def upgrade():
    op.create_table(
        "docket_counts",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "owner_id", "state", "deadline", name="pk_docket_counts"),
    )
    for name, columns in _SORT_INDEXES:
        op.create_index(name, "cases", columns, postgresql_include=["state"])
    # The cases already there, counted once (afterwards the triggers keep the counts).
    for scope, owner in (("mediator", "mediator_id"), ("org", "mediation_org_id")):
        op.execute(
            "INSERT INTO docket_counts (scope, owner_id, state, deadline, n) "
            f"SELECT '{scope}', {owner}, state, coalesce(next_deadline, '{_NO_DEADLINE}'), "
            f"count(*) FROM cases WHERE {owner} IS NOT NULL "
            f"GROUP BY {owner}, state, coalesce(next_deadline, '{_NO_DEADLINE}')"
        )
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _downgrade_postgresql()
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    for name, _columns in reversed(_SORT_INDEXES):
        op.drop_index(name, table_name="cases")
    op.drop_table("docket_counts")
