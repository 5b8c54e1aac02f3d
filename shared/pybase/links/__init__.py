"""Linked records: the `record_links` table, link writes with inverse sync, and loading computed fields."""
