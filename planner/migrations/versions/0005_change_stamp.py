"""change stamps: the database renews a stamp whenever the road network changes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 16:00:00.000000

A table ``change_stamp`` with one row per watched part of the plan (``roads``) and triggers on
``road_node`` and ``road_edge`` that set that row's stamp to a new random value on every insert,
update or delete (SQLite: per row; PostgreSQL: per statement, TRUNCATE included) — whichever
program writes, so a reader may keep a copy of the road network while the stamp it read stays
the same. Bulk writers that drop the triggers for speed set the stamp themselves
(:func:`planner.io.network.write_network`).
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ("road_node", "road_edge")


def upgrade() -> None:
    op.create_table('change_stamp',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('stamp', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_change_stamp'))
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("INSERT INTO change_stamp (name, stamp) "
                   "VALUES ('roads', md5(random()::text || clock_timestamp()::text))")
        op.execute("""
            CREATE FUNCTION esplan_roads_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE change_stamp SET stamp = md5(random()::text || clock_timestamp()::text)
                 WHERE name = 'roads';
                RETURN NULL;
            END $$""")
        for t in TABLES:
            op.execute(f"CREATE TRIGGER {t}_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {t} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION esplan_roads_changed()")
    else:
        op.execute("INSERT INTO change_stamp (name, stamp) VALUES ('roads', lower(hex(randomblob(16))))")
        for t in TABLES:
            for what in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {t}_stamp_{what.lower()} AFTER {what} ON {t} BEGIN "
                           "UPDATE change_stamp SET stamp = lower(hex(randomblob(16))) WHERE name = 'roads'; END")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for t in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {t}_stamp ON {t}")
        op.execute("DROP FUNCTION IF EXISTS esplan_roads_changed()")
    else:
        for t in TABLES:
            for what in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {t}_stamp_{what}")
    op.drop_table('change_stamp')
