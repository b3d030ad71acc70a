"""python -m bench [--scale small|large] [--reuse DB] [--json FILE] [--check]

Seeds a fresh database at the named scale with seed_demo's bulk path (unless --reuse names an
existing one), then measures every page and HTMX endpoint in one process with Django's test
client, logged in as a rep, a manager and an admin. DATABASE_URL, when set, is used instead of a
SQLite file (e.g. PostgreSQL); it is flushed and reseeded unless --reuse is given.
"""

import argparse
import os
import sys
from pathlib import Path

from bench.clock import day_argument
from bench.scales import SCALES

DATA_DIR = Path(__file__).resolve().parent / "data"


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument(
        "--reuse",
        nargs="?",
        const="default",
        metavar="DB",
        help="measure an existing database (a SQLite path; default: the scale's file "
        "or DATABASE_URL) instead of seeding a fresh one",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when any budget is exceeded")
    parser.add_argument(
        "--requests", type=int, default=30, help="timed requests per endpoint (≥ 30)"
    )
    parser.add_argument(
        "--only", default="", help="measure only endpoints whose name contains this"
    )
    parser.add_argument(
        "--today",
        type=day_argument,
        default="2026-11-02",
        help="the date the demo data is built around; the bench measures at 10:00 that day",
    )
    return parser.parse_args(argv)


def configure(args) -> tuple[str, bool]:
    """Point Django at the bench database before it starts; returns (database label, fresh?)."""
    fresh = args.reuse is None
    if args.reuse not in (None, "default"):
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.reuse).resolve()}"
    elif not os.environ.get("DATABASE_URL"):
        DATA_DIR.mkdir(exist_ok=True)
        path = DATA_DIR / f"{args.scale}.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    return os.environ["DATABASE_URL"], fresh


def main(argv=None) -> int:
    args = parse(argv if argv is not None else sys.argv[1:])
    if args.requests < 30:
        print("--requests must be at least 30", file=sys.stderr)
        return 2
    database, fresh = configure(args)
    import django

    django.setup()
    from bench import harness

    return harness.run(args, database=database, fresh=fresh)


if __name__ == "__main__":
    sys.exit(main())
