"""stock lot identity: site + item + batch is unique (unbatched lots: one per site and item)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:53:10.331076

Plans made before this revision may hold several lots with the same site, item and batch (a
re-imported stock file doubled them; two agreement lots without a batch). They are not merged
(their quantities, expiry dates and suppliers differ): every lot after the first of such a group
gets an explicit batch, ``<batch>#<lot id>`` (``#<lot id>`` when it had none), recorded in the
audit log, so that each lot can be named — and updated by an import — on its own.
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


_AUDIT = sa.table(
    "audit_log", sa.column("at", sa.DateTime), sa.column("user", sa.String), sa.column("entity", sa.String),
    sa.column("entity_id", sa.Integer), sa.column("action", sa.String), sa.column("before", sa.JSON),
    sa.column("after", sa.JSON), sa.column("reason", sa.Text))


def _distinct_batches() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, site_id, item_id, batch FROM stock_lot ORDER BY site_id, item_id, batch, id")).all()
    seen: set[tuple[int, int, str | None]] = set()
    taken = {(r.site_id, r.item_id, r.batch) for r in rows}
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for r in rows:
        key = (r.site_id, r.item_id, r.batch)
        if key not in seen:
            seen.add(key)
            continue
        suffix = f"#{r.id}"
        new = (r.batch or "")[:64 - len(suffix)] + suffix
        while (r.site_id, r.item_id, new) in taken:
            new = "#" + new[:63]
        taken.add((r.site_id, r.item_id, new))
        conn.execute(sa.text("UPDATE stock_lot SET batch = :b WHERE id = :i"), {"b": new, "i": r.id})
        conn.execute(_AUDIT.insert().values(
            at=now, user="esplan", entity="stock_lot", entity_id=r.id, action="update",
            before={"batch": r.batch}, after={"batch": new},
            reason="schema 0003: each stock lot needs its own site + item + batch"))


def upgrade() -> None:
    _distinct_batches()
    with op.batch_alter_table('stock_lot', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_stock_lot_identity', ['site_id', 'item_id', 'batch'])
        batch_op.create_index('uq_stock_lot_unbatched', ['site_id', 'item_id'], unique=True,
                              sqlite_where=sa.text('batch IS NULL'), postgresql_where=sa.text('batch IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('stock_lot', schema=None) as batch_op:
        batch_op.drop_index('uq_stock_lot_unbatched', sqlite_where=sa.text('batch IS NULL'),
                            postgresql_where=sa.text('batch IS NULL'))
        batch_op.drop_constraint('uq_stock_lot_identity', type_='unique')
