import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports import demo_data


class Command(BaseCommand):
    help = (
        "Load the deterministic demo organisation (users, companies, contacts, deals, activities)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD the data is built around (default: today)")
        defaults = demo_data.Sizes()
        for name in ("companies", "contacts", "deals", "activities"):
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name), metavar="N")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the demo data is already there (used by `make run`)",
        )

    def handle(self, *args, **options):
        try:
            today = (
                date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError(f"--today must be YYYY-MM-DD, not {options['today']!r}") from exc
        sizes = demo_data.Sizes(
            **{k: options[k] for k in ("companies", "contacts", "deals", "activities")}
        )
        if min(vars(sizes).values()) < 1:
            raise CommandError("Every size must be at least 1.")
        if demo_data.has_demo_data():
            if options["if_empty"]:
                self.stdout.write("Demo data already loaded.")
                return
            raise CommandError("Demo data is already loaded; seed a fresh database instead.")
        started = time.monotonic()
        self.stdout.write(f"Seeding the demo organisation around {today}:")
        demo_data.seed(sizes, today, log=self.stdout.write)
        demo_data.settle()
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {time.monotonic() - started:.1f} s. "
                f"Log in as admin, maria, ana, ben, carla or sam "
                f"with password {demo_data.PASSWORD!r}."
            )
        )
