"""The store: SQLAlchemy models, database setup and workspace scoping."""
