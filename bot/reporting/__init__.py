"""The district's reports: figures of the service for a scope and a period, the cases behind
them, and the monthly workbook. Queries aggregate in the database (PostgreSQL and SQLite)."""
