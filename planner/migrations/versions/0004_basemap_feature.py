"""basemap features: water, rivers, built-up areas and buildings from the OSM import

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:50:00.000000

A new table only (display data for the window's map; the engine never reads it). Plans made
before this revision have an empty basemap until their OSM extract is imported again.
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('basemap_feature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subkind', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('osm_ref', sa.String(length=32), nullable=True),
    sa.Column('geometry', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_basemap_feature'))
    )
    with op.batch_alter_table('basemap_feature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_basemap_feature_kind'), ['kind'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('basemap_feature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_basemap_feature_kind'))
    op.drop_table('basemap_feature')
