"""Things done at the same moment, as by two people: each call in its own thread with its own
database connection, all released together by one barrier (the race tests of imports, edits,
board moves and calendars)."""

from __future__ import annotations

import threading

from django.db import connection


def at_once(*calls) -> list:
    """Run the calls together; their results in order. An exception in any fails the test."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results
