"""python manage.py export MODEL --user U --format csv|xlsx|vcf [--filter k=v …] [--sort FIELD]
[--output PATH]

Exports a list — contacts, companies, deals or activities — exactly as its "Export this list"
link does for that user with those query parameters: the same records (the user's visibility),
filters, sort and columns (crm/crud.py `list_export`). `--filter` pairs are the list page's
query parameters (`--filter q=nord --filter owner=12`, a custom field's `custom_region=Alps`);
the custom columns shown are the ones the admin shows by default, or, as on the page,
`--filter cols_set=1 --filter cols=email --filter cols=custom_region …`; `--sort=-email` sorts
descending (with "=": argparse would read "-email" as an option). CSV and vCard go to stdout unless `--output`;
XLSX needs `--output`. Exit 1, with the reason, on an unknown list, format, user, filter or sort.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import HttpRequest, QueryDict

from crm.crud import export_formats, export_table, list_export
from crm.fields import COLUMNS, COLUMNS_SET
from crm.registry import list_exports

SORT = "sort"  # django-tables2's query parameter, as on the page


class Command(BaseCommand):
    help = "Export a list (contacts, companies, deals, activities) as a user sees it."

    def add_arguments(self, parser):
        parser.add_argument("model", help="contacts, companies, deals or activities")
        parser.add_argument("--user", required=True, help="the username whose list it is")
        parser.add_argument("--format", required=True, dest="fmt", help="csv, xlsx or vcf")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            dest="filters",
            metavar="NAME=VALUE",
            help="a query parameter of the list page; repeat for several",
        )
        parser.add_argument(
            "--sort", default="", help="a sortable column; --sort=-NAME for descending"
        )
        parser.add_argument("--output", default="", help="the file to write (default: stdout)")

    def handle(self, *args, model, user, fmt, filters, sort, output, **options):
        entry = list_exports.get(model)
        if entry is None:
            raise CommandError(f"No list {model!r}: export one of {', '.join(list_exports)}.")
        if fmt not in export_formats(entry):
            raise CommandError(f"Export {model} as {', '.join(export_formats(entry))}.")
        if fmt == "xlsx" and not output:
            raise CommandError("An XLSX file is binary: write it to a file with --output PATH.")
        request = HttpRequest()
        request.method = "GET"
        request.user = self._user(user)
        request.session = {}  # the page's remembered columns live in a browser's session
        request.GET = self._query(filters, sort)
        filterset, table = export_table(request, entry)
        self._check(entry, filterset, table, request.GET, sort)
        export = list_export(request, entry, fmt, table=table)
        if not output:
            for chunk in export.chunks:
                self.stdout.write(chunk.decode("utf-8"), ending="")
            return
        try:
            with open(output, "wb") as file:
                export.write_to(file)
        except OSError as error:
            raise CommandError(f"{output} cannot be written: {error.strerror}.") from None

    @staticmethod
    def _user(username: str):
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {username!r}.") from None

    @staticmethod
    def _query(filters: list[str], sort: str) -> QueryDict:
        query = QueryDict(mutable=True)
        for pair in filters:
            name, equals, value = pair.partition("=")
            if not equals or not name.strip():
                raise CommandError(f"--filter {pair!r}: write it as NAME=VALUE.")
            query.appendlist(name.strip(), value)
        if sort:
            query[SORT] = sort
        return query

    @staticmethod
    def _check(entry, filterset, table, query: QueryDict, sort: str) -> None:
        """What the page would silently ignore or show as an error, refused by name."""
        known = set(filterset.form.fields) | {COLUMNS, COLUMNS_SET, SORT}
        unknown = sorted(set(query) - known)
        if unknown:
            raise CommandError(
                f"Unknown filter {unknown[0]!r} for {entry.name}: "
                f"one of {', '.join(sorted(filterset.form.fields))}."
            )
        if filterset.is_bound and not filterset.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
            )
            raise CommandError(f"These filters are not valid: {problems}")
        sortable = [column.name for column in table.columns if column.orderable]
        if sort and sort.removeprefix("-") not in sortable:
            raise CommandError(
                f"{entry.name} cannot be sorted by {sort!r}: by one of {', '.join(sortable)} "
                "(-NAME for descending)."
            )
