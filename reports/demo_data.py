"""A deterministic demo organisation, small for trying Huddle or large for the benchmark.

The same `today` and sizes always give the same rows (a fixed random seed). Large sizes go
through `executemany` with explicit ids, since one ORM object per row is far too slow for a
million activities; every row still satisfies the models' constraints.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from contacts import addresses, rollups
from contacts.models import Activity, Company, Contact, ContactHandle
from contacts.normalize import normalize_email, normalize_text
from crm import custom_sql, search
from crm.custom_fields import Spec
from crm.models import CustomField, Team
from deals.models import Deal, Pipeline, Stage

SEED = 20261129
PASSWORD = "huddle-demo"
BATCH = 20_000

FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Eva",
    "Felix",
    "Greta",
    "Hugo",
    "Ida",
    "Jonas",
    "Kira",
    "Leon",
    "Mara",
    "Nils",
    "Olga",
    "Paul",
    "Rosa",
    "Sven",
    "Tara",
    "Uwe",
    "Vera",
    "Wim",
    "Xenia",
    "Yara",
    "Zoe",
    "Amir",
    "Bea",
    "Chen",
    "Dana",
    "Emil",
    "Fatima",
    "Gil",
    "Hana",
    "Ivan",
    "Jana",
    "Karl",
    "Lina",
    "Milo",
    "Nora",
    "Omar",
    "Pia",
    "Rafael",
    "Sofia",
    "Tom",
    "Una",
    "Viktor",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Braun",
    "Zimmermann",
    "Krüger",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Maier",
    "Berg",
    "Novak",
    "Rossi",
    "Dubois",
    "Jensen",
    "Larsen",
    "Silva",
    "Costa",
    "Moreau",
    "Kowalski",
    "Horvat",
    "Popescu",
    "Nagy",
    "Svensson",
]
COMPANY_A = [
    "Alpen",
    "Nord",
    "Süd",
    "Rhein",
    "Elb",
    "Spree",
    "Isar",
    "Main",
    "Weser",
    "Ostsee",
    "Harz",
    "Eifel",
    "Taunus",
    "Havel",
    "Saale",
    "Mosel",
    "Blau",
    "Grün",
    "Rot",
    "Silber",
    "Gold",
    "Eisen",
    "Stein",
    "Holz",
    "Glas",
    "Licht",
    "Wind",
    "Sonnen",
    "Wasser",
    "Feld",
]
COMPANY_B = [
    "Logistik",
    "Bau",
    "Technik",
    "Systeme",
    "Medien",
    "Werke",
    "Handel",
    "Energie",
    "Software",
    "Druck",
    "Pharma",
    "Textil",
    "Metall",
    "Service",
    "Consulting",
    "Design",
    "Analytics",
    "Robotics",
    "Foods",
    "Labs",
]
COMPANY_C = ["GmbH", "AG", "KG", "GmbH", "GmbH", "SE", "eG"]
CITIES = [
    "Berlin",
    "Hamburg",
    "München",
    "Köln",
    "Frankfurt",
    "Stuttgart",
    "Leipzig",
    "Dresden",
    "Bremen",
    "Hannover",
]
TITLES = [
    "Head of Purchasing",
    "CEO",
    "CTO",
    "Office Manager",
    "Buyer",
    "Operations Lead",
    "CFO",
    "Project Manager",
    "Sales Director",
    "IT Manager",
]
CALL_SUBJECTS = [
    "Intro call",
    "Follow-up call",
    "Pricing question",
    "Check-in",
    "Demo debrief",
    "Contract questions",
    "Renewal chat",
    "Reference call",
]
MEETING_SUBJECTS = [
    "Demo",
    "Kick-off",
    "Quarterly review",
    "Workshop",
    "Site visit",
    "Negotiation meeting",
]
TASK_SUBJECTS = [
    "Send proposal",
    "Prepare quote",
    "Send contract",
    "Follow up on offer",
    "Book demo",
    "Ask for referral",
    "Update pricing",
    "Call back",
]
NOTE_SUBJECTS = [
    "Budget confirmed",
    "New decision maker",
    "Competitor in play",
    "Prefers e-mail",
    "Expanding team",
]
EMAIL_SUBJECTS = [
    "Sent brochure",
    "Sent agenda",
    "Sent offer",
    "Answered questions",
    "Sent case study",
]
LOST_REASONS = [
    "Price too high",
    "Went with a competitor",
    "No budget",
    "Project cancelled",
    "No response",
]

DEMO_USERS = [
    # username, first, last, role, team, manages
    ("admin", "Alex", "Admin", "admin", None, None),
    ("maria", "Maria", "Nordmann", "manager", "North", "North"),
    ("ana", "Ana", "Lindqvist", "rep", "North", None),
    ("ben", "Ben", "Okafor", "rep", "North", None),
    ("carla", "Carla", "Süder", "rep", "South", None),
    ("sam", "Sam", "Southwell", "manager", "South", "South"),
]
# Who owns records, and how often: reps carry most of the work, managers some.
OWNER_WEIGHTS = {"ana": 5, "ben": 5, "carla": 5, "maria": 2, "sam": 2}

PIPELINES = [
    (
        "Sales",
        [
            ("Lead", 10),
            ("Qualified", 25),
            ("Proposal", 50),
            ("Negotiation", 75),
            ("Won", 100, "won"),
            ("Lost", 0, "lost"),
        ],
    ),
    (
        "Renewals",
        [
            ("Renewal due", 60),
            ("Renewal offered", 80),
            ("Renewed", 100, "won"),
            ("Churned", 0, "lost"),
        ],
    ),
]


@dataclass
class Sizes:
    companies: int = 80
    contacts: int = 300
    deals: int = 120
    activities: int = 1500


def has_demo_data() -> bool:
    return get_user_model().objects.filter(username="admin").exists()


def settle() -> None:
    """After the bulk load's transaction: PostgreSQL's VACUUM marks the new pages all-visible,
    so the reports' index-only scans read no table pages (outside a transaction, as VACUUM
    must run). SQLite needs nothing more than the ANALYZE the load ends with."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


@transaction.atomic
def seed(sizes: Sizes, today: date, log=print) -> dict[str, int]:
    rng = random.Random(SEED)
    users = _users()
    pipelines = _pipelines()
    _custom_fields()
    now = timezone.make_aware(datetime.combine(today, time(12, 0)))
    owners = [users[name] for name, weight in OWNER_WEIGHTS.items() for _ in range(weight)]

    companies = _companies(rng, sizes.companies, owners, now)
    log(f"  {len(companies):>9,} companies")
    contacts = _contacts(rng, sizes.contacts, companies, now)
    log(f"  {len(contacts):>9,} contacts")
    deals = _deals(rng, sizes.deals, contacts, pipelines, now, today)
    log(f"  {len(deals):>9,} deals")
    n_activities = _activities(rng, sizes.activities, contacts, deals, users, now)
    log(f"  {n_activities:>9,} activities")
    _reset_sequences()
    log(f"  {search.rebuild():>9,} search entries")
    log(f"  {rollups.rebuild():>9,} activity days")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, after a bulk load
    return {
        "companies": len(companies),
        "contacts": len(contacts),
        "deals": len(deals),
        "activities": n_activities,
    }


REGIONS = ("North Sea", "Baltic", "Alps")


def _custom_fields() -> None:
    """Fields an admin might add (Settings → Fields), with values on every seeded record, so the
    demo and the benchmark show custom fields in forms, lists, filters and exports."""
    fields = [
        ("contact", "region", "Region", "choice", list(REGIONS), True),
        ("deal", "seats", "Seats", "number", [], True),
        ("deal", "signed", "Signed on", "date", [], False),
    ]
    for model, key, label, kind, choices, in_list in fields:
        field, _ = CustomField.objects.get_or_create(
            model=model,
            key=key,
            defaults={
                "label": label,
                "type": kind,
                "choices": [{"value": c, "label": c} for c in choices],
                "in_list": in_list,
                "filterable": True,
            },
        )
        custom_sql.sync(Spec.of(field))  # the index lists filter and sort by


def _users() -> dict:
    User = get_user_model()
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in ("North", "South")}
    password = make_password(PASSWORD)  # hashed once: the same for every demo user
    users = {}
    for username, first, last, role, team, manages in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "email": f"{username}@huddle.test",
                "team": teams.get(team),
                "password": password,
                "is_active": True,
                "is_staff": role == "admin",
                "is_superuser": role == "admin",
            },
        )
        if manages:
            teams[manages].managers.add(user)
        users[username] = user
    return users


def _pipelines() -> list[tuple[Pipeline, list[Stage]]]:
    result = []
    for order, (name, stages) in enumerate(PIPELINES):
        pipeline, _ = Pipeline.objects.get_or_create(name=name, defaults={"order": order})
        rows = []
        for i, (stage_name, probability, *flag) in enumerate(stages):
            stage, _ = Stage.objects.get_or_create(
                pipeline=pipeline,
                name=stage_name,
                defaults={
                    "order": i,
                    "probability": probability,
                    "is_won": flag == ["won"],
                    "is_lost": flag == ["lost"],
                },
            )
            rows.append(stage)
        result.append((pipeline, rows))
    return result


def _next_id(model) -> int:
    last = model.all_objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
    moments = _moment_columns(model, columns) if connection.vendor == "sqlite" else []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            if moments:
                batch = [_naive_utc(row, moments) for row in batch]
            cursor.executemany(sql, batch)


def _moment_columns(model, columns: list[str]) -> list[int]:
    """Positions of the DateTimeField columns.

    SQLite keeps date-times as text, and Django writes and compares them as naive UTC
    ("2026-11-02 11:00:00"). Written raw, an aware value would keep its offset
    ("2026-11-02 12:00:00+01:00"): ranges would compare it as text an hour or two off, and
    SQL date functions drop the offset, so such rows must be converted first.
    """
    return [
        i
        for i, name in enumerate(columns)
        if model._meta.get_field(name).get_internal_type() == "DateTimeField"
    ]


def _naive_utc(row: tuple, positions: list[int]) -> list:
    row = list(row)
    for i in positions:
        if row[i] is not None:
            row[i] = row[i].astimezone(UTC).replace(tzinfo=None)
    return row


OWNED_COLUMNS = [
    "owner_id",
    "created_by_id",
    "updated_by_id",
    "created_at",
    "updated_at",
    "version",
    "custom",
]


def _owned(owner, created_at) -> tuple:
    return (owner.pk, owner.pk, owner.pk, created_at, created_at, 1, "{}")


@dataclass
class Row:
    id: int
    owner: object
    company_id: int | None = None
    domain: str = ""
    contact_id: int | None = None


def _phone(area: int, number: int) -> tuple[str, str]:
    """A German number as typed and its E.164 digits. Written out, not parsed: reading a
    million numbers with phonenumbers (contacts.normalize.normalize_phone, ~60 µs each) would
    eat the seed's time budget; tests/contacts/test_normalize.py checks they agree."""
    return f"+49 {area} {number}", f"49{area}{number}"


def _companies(rng, n, owners, now) -> list[Row]:
    first_id = _next_id(Company)
    rows, out = [], []
    for i in range(n):
        pk = first_id + i
        name = f"{rng.choice(COMPANY_A)}{rng.choice(COMPANY_B).lower()} {rng.choice(COMPANY_C)}"
        if i >= len(COMPANY_A) * len(COMPANY_B):
            name = f"{name} {i}"
        domain = f"{normalize_text(name).split()[0].replace('ü', 'u')}{i}.example"
        phone, phone_normalized = _phone(rng.randint(30, 899), rng.randint(100000, 9999999))
        owner = rng.choice(owners)
        created = now - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 600))
        rows.append(
            (
                pk,
                name,
                domain,
                f"https://{domain}",
                phone,
                rng.choice(CITIES),
                "Germany",
                "",
                normalize_text(name),
                phone_normalized,
                *_owned(owner, created),
            )
        )
        out.append(Row(pk, owner, domain=domain))
    _insert(
        Company,
        [
            "id",
            "name",
            "domain",
            "website",
            "phone",
            "city",
            "country",
            "notes",
            "name_normalized",
            "phone_normalized",
            *OWNED_COLUMNS,
        ],
        rows,
    )
    return out


def _other_addresses(pk: int, first: str, last: str, domain: str) -> tuple[str, str, list]:
    """Some contacts have a private e-mail or a mobile number too, as address books do: the
    JSON of both lists and their lookup rows (contacts.ContactHandle). From the id, not the
    random stream, so the rest of the demo data stays as it was."""
    emails, phones, handles = [], [], []
    if pk % 7 == 0:
        home = "home.example" if domain == "mail.example" else "mail.example"
        address = f"{normalize_text(first)}.{normalize_text(last)}{pk}@{home}".replace(" ", "")
        emails.append({"label": "home", "value": address})
        handles.append(("email", normalize_email(address)))
    if pk % 5 == 0:
        mobile, digits = _phone(150 + pk % 30, 10000000 + (pk * 7919) % 89999999)
        phones.append({"label": "mobile", "value": mobile})
        handles.append(("phone", digits))
    return json.dumps(emails), json.dumps(phones), handles


def _birthday(pk: int) -> str:
    """A birthday for half the contacts, every other one without its year."""
    if pk % 4 > 1:
        return ""
    day = f"{1 + pk % 12:02d}-{1 + pk % 28:02d}"
    return f"{1950 + pk % 50}-{day}" if pk % 4 == 0 else f"--{day}"


def _contacts(rng, n, companies, now) -> list[Row]:
    first_id = _next_id(Contact)
    rows, out, handles = [], [], []
    for i in range(n):
        pk = first_id + i
        company = companies[i % len(companies)] if companies and rng.random() < 0.92 else None
        first, last = rng.choice(FIRST), rng.choice(LAST)
        domain = company.domain if company else "mail.example"
        email = f"{normalize_text(first)}.{normalize_text(last)}{pk}@{domain}".replace(" ", "")
        phone, phone_normalized = _phone(rng.randint(150, 179), rng.randint(1000000, 99999999))
        owner = company.owner if company else companies[i % len(companies)].owner
        created = now - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 600))
        emails, phones, others = _other_addresses(pk, first, last, domain)
        handles.extend((pk, kind, value) for kind, value in others)
        rows.append(
            (
                pk,
                first,
                last,
                company.id if company else None,
                rng.choice(TITLES),
                email,
                phone,
                rng.choice(CITIES),
                "",
                normalize_text(f"{first} {last}"),
                normalize_email(email),
                phone_normalized,
                "work",
                emails,
                "work",
                phones,
                _birthday(pk),
                *_owned(owner, created)[:-1],
                json.dumps({"region": REGIONS[pk % len(REGIONS)]}),
            )
        )
        out.append(Row(pk, owner, company.id if company else None))
    _insert(
        Contact,
        [
            "id",
            "first_name",
            "last_name",
            "company_id",
            "job_title",
            "email",
            "phone",
            "city",
            "notes",
            "name_normalized",
            "email_normalized",
            "phone_normalized",
            "email_label",
            "emails",
            "phone_label",
            "phones",
            "birthday",
            *OWNED_COLUMNS,
        ],
        rows,
    )
    # Every address in the lookup table: the primary ones by INSERT … SELECT, the others here.
    addresses.copy_primary_handles(first_id=first_id)
    _insert(ContactHandle, ["contact_id", "kind", "normalized"], handles)
    return out


def _deals(rng, n, contacts, pipelines, now, today) -> list[Row]:
    first_id = _next_id(Deal)
    rows, links, out, history = [], [], [], []
    for i in range(n):
        pk = first_id + i
        contact = contacts[(i * 7) % len(contacts)]
        pipeline, stages = pipelines[0] if rng.random() < 0.8 else pipelines[1]
        open_stages = [s for s in stages if s.is_open]
        roll = rng.random()
        if roll < 0.7:
            stage = rng.choice(open_stages)
        else:
            stage = next(s for s in stages if (s.is_won if roll < 0.85 else s.is_lost))
        amount = Decimal(rng.randrange(1_000, 120_000, 500))
        close = today + timedelta(days=rng.randint(-60, 150)) if rng.random() < 0.85 else None
        closed_at = None if stage.is_open else now - timedelta(days=rng.randint(0, 90))
        lost_reason = rng.choice(LOST_REASONS) if stage.is_lost else ""
        title = (
            f"{rng.choice(['Rollout', 'Pilot', 'Licences', 'Upgrade', 'Support plan', 'Expansion'])} "
            f"#{pk}"
        )
        created = now - timedelta(days=rng.randint(0, 300))
        updated = created + (now - created) * rng.random()
        owned = list(_owned(contact.owner, created))
        owned[4] = updated
        signed = (created + timedelta(days=pk % 90)).date().isoformat()
        owned[6] = json.dumps({"seats": 5 + (pk * 37) % 500, "signed": signed})
        # Some deals moved on since they were created, some had their close date pushed out:
        # the history the "changes" and "slipped deals" reports read.
        earlier_stage = (
            open_stages[max(0, open_stages.index(stage) - 1)] if stage.is_open else open_stages[-1]
        )
        moved = rng.random() < 0.35 and earlier_stage != stage
        slipped = close is not None and rng.random() < 0.12
        first = {
            "stage_id": earlier_stage.pk if moved else stage.pk,
            "expected_close": close - timedelta(days=rng.randint(14, 45)) if slipped else close,
        }
        history.append((pk, created, 1, "+", first))
        if moved or slipped:
            owned[5] = 2
            history.append((pk, updated, 2, "~", {"stage_id": stage.pk, "expected_close": close}))
        rows.append(
            (
                pk,
                title,
                contact.company_id,
                pipeline.pk,
                stage.pk,
                amount,
                settings.HUDDLE_CURRENCY,
                close,
                lost_reason,
                closed_at,
                normalize_text(title),
                *owned,
            )
        )
        links.append((pk, contact.id))
        out.append(Row(pk, contact.owner, contact.company_id, contact_id=contact.id))
    _insert(
        Deal,
        [
            "id",
            "title",
            "company_id",
            "pipeline_id",
            "stage_id",
            "amount",
            "currency",
            "expected_close",
            "lost_reason",
            "closed_at",
            "title_normalized",
            *OWNED_COLUMNS,
        ],
        rows,
    )
    _insert(Deal.contacts.through, ["deal_id", "contact_id"], links)
    _deal_history(rows, history)
    return out


DEAL_COLUMNS = [
    "id",
    "title",
    "company_id",
    "pipeline_id",
    "stage_id",
    "amount",
    "currency",
    "expected_close",
    "lost_reason",
    "closed_at",
    "title_normalized",
    *OWNED_COLUMNS,
]


def _deal_history(rows, history) -> None:
    """History rows as django-simple-history writes them on each save, from the deal rows."""
    by_id = {row[0]: dict(zip(DEAL_COLUMNS, row, strict=True)) for row in rows}
    columns = [
        *DEAL_COLUMNS,
        "deleted_at",
        "history_date",
        "history_type",
        "history_change_reason",
        "history_user_id",
    ]
    out = []
    for pk, when, version, kind, values in history:
        deal = by_id[pk] | values | {"version": version, "updated_at": when}
        if kind == "+":
            deal["closed_at"] = (
                None if values["stage_id"] == deal["stage_id"] else deal["closed_at"]
            )
        out.append((*(deal[c] for c in DEAL_COLUMNS), None, when, kind, None, deal["owner_id"]))
    _insert(Deal.history.model, columns, out)


def _activities(rng, n, contacts, deals, users, now) -> int:
    """Activities over the last and next 90 days, plus a fixed set today for every demo user."""
    first_id = _next_id(Activity)
    deals_by_contact = {d.contact_id: d for d in deals}
    today_start = now.replace(hour=0)
    rows, links = [], []
    made = 0
    by_owner: dict[int, list[Row]] = {}
    for c in contacts:
        by_owner.setdefault(c.owner.pk, []).append(c)

    def add(kind, subject, when, contact, done):
        nonlocal made
        pk = first_id + made
        made += 1
        deal = deals_by_contact.get(contact.id)
        done_at = when if done else None
        created = min(when, now) - timedelta(days=rng.randint(0, 5))
        rows.append(
            (
                pk,
                kind,
                subject,
                "",
                when,
                None,
                done,
                done_at,
                contact.company_id,
                deal.id if deal else None,
                "manual",
                None,  # external_id: made in Huddle
                False,  # all_day
                False,  # cancelled
                "",  # ical_digest: not from a calendar
                *_owned(contact.owner, created),
            )
        )
        links.append((pk, contact.id))

    for username in OWNER_WEIGHTS:
        mine = by_owner.get(users[username].pk, [])
        for j, contact in enumerate(mine[: max(0, min(6, n - made))]):
            kind, subjects, hour = [
                ("meeting", MEETING_SUBJECTS, 10),
                ("call", CALL_SUBJECTS, 14),
                ("task", TASK_SUBJECTS, 9),
            ][j % 3]
            overdue = j >= 3
            when = today_start + timedelta(
                days=-3 if overdue and kind == "task" else 0, hours=hour + j
            )
            add(kind, rng.choice(subjects), when, contact, done=False)

    kinds = [
        ("call", CALL_SUBJECTS, 30),
        ("email", EMAIL_SUBJECTS, 25),
        ("meeting", MEETING_SUBJECTS, 15),
        ("task", TASK_SUBJECTS, 20),
        ("note", NOTE_SUBJECTS, 10),
    ]
    population = [(k, s) for k, s, w in kinds for _ in range(w)]
    n_contacts = len(contacts)
    while made < n:
        kind, subjects = population[rng.randrange(len(population))]
        contact = contacts[rng.randrange(n_contacts)]
        # Most of a CRM's activity is history; plans reach a few weeks ahead.
        span = 90 * 24 * 60
        offset = rng.randint(1, span) if rng.random() < 0.12 else -rng.randint(1, span)
        when = now + timedelta(minutes=offset)
        past = when < now
        done = past and (kind != "task" or rng.random() < 0.93)
        if not past and kind not in ("task", "meeting"):
            kind, subjects = "task", TASK_SUBJECTS  # only plans lie in the future
        add(kind, subjects[rng.randrange(len(subjects))], when, contact, done)
        if len(rows) >= BATCH * 5:  # bounded memory at a million rows
            _flush_activities(rows, links)
            rows.clear()
            links.clear()
    _flush_activities(rows, links)
    return made


def _flush_activities(rows, links) -> None:
    _insert(
        Activity,
        [
            "id",
            "kind",
            "subject",
            "body",
            "occurs_at",
            "ends_at",
            "done",
            "done_at",
            "company_id",
            "deal_id",
            "source",
            "external_id",
            "all_day",
            "cancelled",
            "ical_digest",
            *OWNED_COLUMNS,
        ],
        rows,
    )
    _insert(Activity.contacts.through, ["activity_id", "contact_id"], links)


def _reset_sequences() -> None:
    """PostgreSQL keeps id sequences apart from the rows: move them past the ids inserted here."""
    models = [Company, Contact, Deal, Activity, Deal.contacts.through, Activity.contacts.through]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
