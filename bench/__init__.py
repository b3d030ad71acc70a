"""Huddle's benchmark: server time, SQL queries and bytes of every page at a named data size."""
