"""What gunicorn serves in the load test: crm/wsgi.py's application, unchanged, in workers whose
clock reads 10:00 on the day the bench's data is built around (`--today`, passed on as
HUDDLE_BENCH_TODAY; bench/clock.py), so My day, the reports and the meeting page read the days
the seed filled, as `python -m bench` does. Production serves crm.wsgi:application itself.
"""

import os

from bench.clock import pin_for_good
from crm.wsgi import application  # sets Django up and tunes the collector, as in production

pin_for_good(os.environ["HUDDLE_BENCH_TODAY"])

__all__ = ["application"]
