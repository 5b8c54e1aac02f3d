"""Trash: deleted tables, fields, views and records, restorable for 30 days, then purged."""
