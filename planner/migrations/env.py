"""Alembic environment: the connection is handed in by planner.migrations."""
from alembic import context

from planner.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - always run through planner.migrations
    raise RuntimeError("run migrations through planner.migrations, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,          # SQLite needs batch mode for ALTERs
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
