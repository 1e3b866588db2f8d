"""Persistence: SQLAlchemy models, the async engine, Alembic migrations and the queries."""
