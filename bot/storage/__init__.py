"""Relational storage: typed SQLAlchemy models with the queries that use them."""

from bot.storage.base import Base, Database

__all__ = ["Base", "Database"]
