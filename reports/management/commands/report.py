import json
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from reports import registry
from reports.params import ParamsForm
from reports.serialize import result_as_json


class Command(BaseCommand):
    help = "Print a report's rows, totals and completeness as JSON, as one user sees them."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--user", required=True, help="username whose view of the data to use")
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument(
            "--param",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a filter, e.g. --param pipeline=1 --param period=last-month",
        )

    def handle(self, *args, slug, user, param, **options):
        report = registry.get(slug)
        if report is None:
            known = ", ".join(r.slug for r in registry.all_reports())
            raise CommandError(f"No report {slug!r}. Known: {known}.")
        try:
            viewer = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No active user {user!r}.") from exc
        # As on the report pages: a report switched off, or not for this user's role, is
        # none of theirs (the figures are scoped by visibility; the audience is checked here).
        if not registry.may_open(viewer, report):
            raise CommandError(f"{user} may not open the report {slug!r}.")
        data = QueryDict(mutable=True)
        for item in param:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--param takes NAME=VALUE, not {item!r}.")
            data[name] = value
        form = ParamsForm(data, report=report, user=viewer)
        unknown = set(data) - set(form.fields)
        if unknown:
            raise CommandError(
                f"{slug} takes no parameter {', '.join(sorted(unknown))}; it takes: "
                f"{', '.join(form.fields) or 'none'}."
            )
        if not form.is_valid():
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            raise CommandError(f"Bad parameters: {problems}")
        result = report.run(viewer, form.params())
        self.stdout.write(json.dumps(result_as_json(report, result), indent=2, default=_plain))


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    return str(value)
