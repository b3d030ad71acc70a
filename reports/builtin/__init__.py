"""The built-in reports. Importing this package registers them (ReportsConfig.ready)."""

from reports.builtin import pipeline  # noqa: F401
