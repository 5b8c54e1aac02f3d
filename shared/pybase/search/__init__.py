"""Full-text search over records: documents built from committed records, backends in a registry."""
