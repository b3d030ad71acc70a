"""The built-in reports. Importing this package registers them (ReportsConfig.ready)."""

import reports.builtin.activity  # noqa: F401
import reports.builtin.deal_flow  # noqa: F401
from reports.builtin import pipeline  # noqa: F401
