"""Huddle's load test: reps, managers and (one) admin working through their day, as a browser.

Each simulated person logs in through the login form with a demo account (password
huddle-demo) and then, with think time between actions, does what that role does most: My day,
lists filtered and sorted, search as they type, a call logged on a contact or through quick add,
a value edited in place, a deal dragged on the board, reports, the dashboard, a meeting.
Every request is one the browser makes for that action — the URL, form fields and htmx headers
are read off the page that was just shown (bench/load/browser.py), never written down here.

Many simulated people share one account (there are three reps in the demo data and dozens of
simulated reps). Two of them editing one record would meet the stale-edit guard, which is the
guard working, not the server failing; so every record that is changed belongs to the first
simulated person who picks it (`Person.claim`), as a deal belongs to one rep. The conflict views are
still recognised and counted apart (bench/load/mix.py), never hidden.

Run it through the runner, `python -m bench.load`, which starts gunicorn on 127.0.0.1 first.
"""

from __future__ import annotations

import itertools
import random
import re
import time
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, events

from bench.load import mix
from bench.load.browser import Page, absolute, htmx_headers

PASSWORD = "huddle-demo"
# Words typed before a person has seen any names: first names, surnames and a company word
# of the demo data (reports/demo_data.py).
FIRST_WORDS = ("Becker", "Müller", "Schmidt", "Nord", "Anna")
THINK = (1.0, 5.0)  # seconds between two actions, at --pace 1
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

CONTACT_URL = re.compile(r"^/contacts/\d+/$")
COMPANY_URL = re.compile(r"^/companies/\d+/$")
AGENDA_URL = re.compile(r"^/reports/meetings/\d+/$")
MEETING_URL = re.compile(r"^/reports/meetings/m/\d+/$")
REPORT_URL = re.compile(r"^/reports/(?!dashboard/|meetings/)[\w-]+/$")
INLINE_URL = re.compile(r"^/inline/deals\.Deal/(\d+)/(amount|expected_close)/\?edit=1$")
MOVE_URL = re.compile(r"^/deals/(\d+)/move/$")

# Who changes which record: (kind, id) → the simulated person's serial. All simulated people
# of a run live in one locust process as greenlets, which switch only on I/O, so this dict is
# shared and setdefault() is atomic between them.
_claims: dict[tuple[str, int], int] = {}
_serials = itertools.count()
_toured = itertools.count()  # people who have done their --tour


@events.init_command_line_parser.add_listener
def _options(parser):
    parser.add_argument(
        "--pace",
        type=float,
        default=1.0,
        help="scales every pause: the think time between actions (1-5 s at 1) and the reading "
        "and typing within one (a test runs the same mix quickly with, say, 0.05)",
    )
    parser.add_argument(
        "--tour",
        action="store_true",
        default=False,
        help="each person does every action of their role once, in order, instead of the "
        "weighted mix; the run ends when all have (a quick check that every request works)",
    )


class Person(FastHttpUser):
    """One person at a browser, logged in as one of the role's demo accounts."""

    abstract = True
    accounts: tuple[str, ...] = ()  # the demo accounts this role's people log in with, in turn
    _turns: itertools.count  # per role: which account the next person of the role takes

    # ---- a person's session ------------------------------------------------------------------

    def on_start(self):
        self.serial = next(_serials)
        self.username = self.accounts[next(self._turns) % len(self.accounts)]
        self.pace = self.environment.parsed_options.pace
        self.url = self.host + "/"  # the page the browser shows
        self.page: Page | None = None
        self.me = ""  # this user's id, as the lists' owner filter offers it
        self.words = list(FIRST_WORDS)
        self.log_in()
        if self.environment.parsed_options.tour:
            self.tour()

    def tour(self):
        """Every action of the role once; the last person to finish ends the run, the others
        wait for it (raising out of on_start would be logged as an error)."""
        for action in self.actions():
            action(self)
            time.sleep(self.wait_time())
        if next(_toured) + 1 >= self.environment.runner.target_user_count:
            gevent.spawn(self.environment.runner.quit)
        while True:
            time.sleep(60)

    def maybe(self, chance: float) -> bool:
        """Whether a person takes a side step this time (always, on a --tour)."""
        return self.environment.parsed_options.tour or random.random() < chance

    def wait_time(self):
        """Think time between two actions."""
        return random.uniform(*THINK) * self.pace

    def pause(self, low: float, high: float):
        """Reading, typing, finding the next thing to click, within one action."""
        time.sleep(random.uniform(low, high) * self.pace)  # gevent's sleep: locust patches it

    def actions(self) -> list:
        """This role's actions, each once, in the order declared (locust repeats each task in
        `tasks` as often as its weight)."""
        return list(dict.fromkeys(self.tasks))

    def log_in(self):
        page = self.visit("/login/", mix.LOGIN_PAGE)
        form = page and page.form(method="post")
        if form is None:
            return
        body = form.data(username=self.username, password=PASSWORD)
        response = self.send("POST", self.url, mix.LOG_IN, body, expect_redirect=True)
        if response is not None:
            self.visit(response.headers.get("Location", "/"), mix.MY_DAY)

    # ---- requests, as the browser makes them -------------------------------------------------

    def visit(self, href: str, name: str) -> Page | None:
        """Load a page (a link followed, an address typed): the browser now shows it."""
        url = absolute(self.url, href)
        page = self._request("GET", url, name, headers={"Referer": self.url})
        if page is not None:
            self.url, self.page = url, page
        return page

    def htmx(
        self,
        method: str,
        href: str,
        name: str,
        *,
        body=None,
        target: str = "",
        trigger: str = "",
        trigger_name: str = "",
        boosted: bool = False,
        push: bool = False,
        check=None,
    ) -> Page | None:
        """A request htmx makes from the page shown (its headers, its CSRF token)."""
        url = absolute(self.url, href)
        headers = htmx_headers(
            current_url=self.url,
            csrf=self.page.csrf_header() if self.page else "",
            target=target,
            trigger=trigger,
            trigger_name=trigger_name,
        )
        headers["Referer"] = self.url
        if boosted:
            headers["HX-Boosted"] = "true"
        if method == "POST":
            headers |= {**FORM, "Origin": self.host}
        page = self._request(method, url, name, headers=headers, body=body, check=check)
        if page is not None and push:
            self.url = url
            if boosted:
                self.page = page
        return page

    def send(self, method, url, name, body, *, expect_redirect=False):
        """A plain form post (no htmx), e.g. the login form."""
        headers = {**FORM, "Origin": self.host, "Referer": self.url}
        with self.client.request(
            method,
            url,
            name=name,
            data=urlencode(body),
            headers=headers,
            allow_redirects=not expect_redirect,
            catch_response=True,
        ) as response:
            if expect_redirect and response.status_code != 302:
                response.failure(f"expected a redirect, got HTTP {response.status_code}")
                return None
            response.success()
            return response

    def _request(self, method, url, name, *, headers, body=None, check=None) -> Page | None:
        with self.client.request(
            method,
            url,
            name=name,
            data=urlencode(body) if body is not None else None,
            headers=headers,
            catch_response=True,
        ) as response:
            status = response.status_code
            text = response.text or ""
            if not status or status >= 400:
                response.failure(f"HTTP {status}")
                return None
            if "data-signed-out" in text and name != mix.LOGIN_PAGE:
                response.failure("answered with the login page: the session was lost")
                return None
            page = Page(text)
            problem = check(page, response) if check else None
            if problem:
                response.failure(problem)
                return None
            response.success()
            return page

    # ---- what people see on a page -----------------------------------------------------------

    def learn_names(self, page: Page):
        """Names on a list are what a person later types into search and pickers."""
        for link in page.find_all("a"):
            href = link.attrs.get("href", "")
            words = link.text.split()
            if words and (CONTACT_URL.match(href) or COMPANY_URL.match(href)):
                word = words[-1] if CONTACT_URL.match(href) else words[0]
                if len(word) >= 3 and word not in self.words:
                    self.words.append(word)
        del self.words[:-40]

    def my_id(self, page: Page) -> str:
        """This user's id among the owner filter's options (the name the top bar shows)."""
        if not self.me:
            shown = page.text_after("div", "me", "span")  # <div class="me"><span>Ana …</span>
            form = page.form(class_="filters")
            for option in form.options.get("owner", []) if form else []:
                if option.text.strip() == shown:
                    self.me = option.attrs.get("value", "")
        return self.me

    def claim(self, kind: str, pk: int) -> bool:
        """True when this person may change the record: nobody else has picked it."""
        return _claims.setdefault((kind, pk), self.serial) == self.serial

    # ---- actions every role has --------------------------------------------------------------

    def my_day(self):
        self.visit("/", mix.MY_DAY)

    def search(self):
        """Type a name into the top bar's search; htmx asks after each pause in typing."""
        if self.page is None:
            return
        word = random.choice(self.words).lower()
        results = None
        for end in range(1, min(len(word), 6) + 1):
            self.pause(0.25, 0.5)  # longer than the input's 200 ms delay
            results = self.htmx(
                "GET",
                "/search/?" + urlencode({"q": word[:end]}),
                mix.SEARCH,
                target="search-dropdown",
                trigger="global-search",
                trigger_name="q",
            )
        hits = [a.attrs["href"] for a in results.find_all("a")] if results else []
        if hits and self.maybe(0.5):
            self.pause(0.5, 1.5)
            self.visit(random.choice(hits), mix.SEARCH_RESULT)

    def list_page(self, path: str, name: str) -> Page | None:
        page = self.visit(path, name)
        if page is not None:
            self.learn_names(page)
        return page

    def filter_list(self, name: str, **typed: str) -> Page | None:
        """Change the list's filter form: htmx sends the whole form and shows the rows."""
        form = self.page and self.page.form(class_="filters")
        if form is None:
            return None
        url = form.attrs["hx-get"] + "?" + form.query(**typed)
        return self.htmx("GET", url, name, target="results", push=True)

    def sort_list(self, rows: Page | None, name: str) -> Page | None:
        """Click a column head: a boosted link inside the results, the whole page comes back."""
        heads = [
            a.attrs["href"]
            for a in (rows.find_all("a") if rows else [])
            if "sort=" in a.attrs.get("href", "") and a.attrs["href"].startswith("?")
        ]
        if not heads:
            return None
        return self.htmx(
            "GET", random.choice(heads), name, target="results", boosted=True, push=True
        )

    def contacts(self):
        """Open the contacts and narrow them down by typing a name into the filter."""
        if self.list_page("/contacts/", mix.CONTACTS) is None:
            return
        word = random.choice(self.words)
        rows = None
        for end in range(2, min(len(word), 5) + 1):
            self.pause(0.35, 0.6)  # longer than the filter's 300 ms delay
            rows = self.filter_list(mix.CONTACTS_FILTER, q=word[:end])
        if self.maybe(0.5):
            self.sort_list(rows, mix.CONTACTS_SORT)

    def companies(self):
        page = self.list_page("/companies/", mix.COMPANIES)
        if page is None:
            return
        rows = None
        if self.my_id(page):
            self.pause(0.5, 1.5)
            rows = self.filter_list(mix.COMPANIES_FILTER, owner=self.me)
        self.pause(0.5, 1.5)
        self.sort_list(rows or page, mix.COMPANIES_SORT)

    def deals(self):
        """Open deals, then only mine, then sorted by a column; sometimes the next page."""
        page = self.list_page("/deals/", mix.DEALS)
        if page is None:
            return
        self.pause(0.5, 1.5)
        rows = self.filter_list(mix.DEALS_FILTER, status="open")
        if rows is not None and self.my_id(page) and self.maybe(0.7):
            self.pause(0.5, 1.5)
            rows = self.filter_list(mix.DEALS_FILTER, status="open", owner=self.me)
        self.pause(0.5, 1.5)
        page = self.sort_list(rows, mix.DEALS_SORT)
        following = page and page.find_all("a", rel="next")
        if following and self.maybe(0.3):
            self.pause(1, 2)
            self.htmx(
                "GET",
                following[0].attrs["href"],
                mix.DEALS_NEXT_PAGE,
                target="results",
                boosted=True,
                push=True,
            )

    def activities(self):
        """Open tasks: pick the kind, then "not done", each a change of the filter form."""
        if self.list_page("/activities/", mix.ACTIVITIES) is None:
            return
        self.pause(0.5, 1.5)
        self.filter_list(mix.ACTIVITIES_FILTER, kind="task")
        self.pause(0.5, 1.5)
        self.filter_list(mix.ACTIVITIES_FILTER, kind="task", done="false")

    def contact(self) -> Page | None:
        """A contact's page, from the list (the first page, as it opens)."""
        listed = self.page if self.page and urlsplit(self.url).path == "/contacts/" else None
        listed = listed or self.list_page("/contacts/", mix.CONTACTS)
        links = [
            a.attrs["href"]
            for a in (listed.find_all("a") if listed else [])
            if CONTACT_URL.match(a.attrs.get("href", ""))
        ]
        if not links:
            return None
        self.pause(1, 3)
        return self.visit(random.choice(links), mix.CONTACT)

    def log_call(self):
        """On a contact's page: Call is picked, type what happened, Enter."""
        page = self.contact()
        form = page and page.form(id="log-form")
        if form is None:
            return
        self.pause(3, 8)  # typing the subject
        subject = random.choice(("Called, left a message", "Talked about the offer", "Follow-up"))

        def logged(answer: Page, response):
            if response.headers.get("HX-Retarget") or answer.find_all("div", class_="field-errors"):
                return "the call was not logged: the form came back with errors"
            return None

        self.htmx(
            "POST",
            form.attrs["hx-post"],
            mix.LOG_CALL,
            body=form.data(kind="call", subject=f"{subject} ({self.serial})"),
            target="timeline-list",
            trigger="log-form",
            check=logged,
        )

    def quick_call(self):
        """ "Log a call" on My day opens quick add; type who it was with, pick, type, Enter."""
        if urlsplit(self.url).path != "/":
            self.my_day()
        dialog = self.htmx("GET", "/quick-add/call/", mix.QUICK_ADD_OPEN, target="quick-add-dialog")
        form = dialog and dialog.form(class_="quick-add-form")
        if form is None:
            return
        typed = {"subject": f"Quick call ({self.serial})"}
        picker = next(iter(dialog.find_all("div", class_="picker")), None)
        if picker is not None and "about" in form.options:
            word, options = random.choice(self.words), []
            for end in range(2, min(len(word), 4) + 1):
                self.pause(0.25, 0.5)
                # pickers.js asks with fetch(): HX-Request is its only header.
                found = self._request(
                    "GET",
                    absolute(self.url, picker.attrs["data-picker-url"])
                    + "&"
                    + urlencode({"q": word[:end]}),
                    mix.QUICK_ADD_PICK,
                    headers={"HX-Request": "true", "Referer": self.url},
                )
                options = found.find_all("li", role="option") if found else []
            if options:
                typed["about"] = options[0].attrs["data-value"]
        self.pause(2, 5)

        def added(answer: Page, response):
            if not answer.find_all("p", class_="quick-added"):
                return "quick add did not add the call: the form came back"
            return None

        self.htmx(
            "POST",
            form.attrs["hx-post"],
            mix.QUICK_ADD_SAVE,
            body=form.data(**typed),
            target="quick-add-dialog",
            check=added,
        )

    def inline_edit(self):
        """In my open deals, click an amount or close date, change it, Enter."""
        if self.list_page("/deals/", mix.DEALS) is None:
            return
        self.pause(0.5, 1.5)
        mine = {"owner": self.me} if self.my_id(self.page) else {}
        rows = self.filter_list(mix.DEALS_FILTER, status="open", **mine)
        cells = []
        for span in rows.find_all("span", class_="inline-field") if rows else []:
            found = INLINE_URL.match(span.attrs.get("hx-get", ""))
            if found and self.claim("deal", int(found.group(1))):
                cells.append((span, found.group(2)))
        if not cells:
            return
        span, field = random.choice(cells)
        self.pause(0.5, 1.5)
        editor = self.htmx(
            "GET",
            span.attrs["hx-get"],
            mix.INLINE_OPEN,
            target=span.attrs["id"],
            trigger=span.attrs["id"],
        )
        form = editor and editor.form(class_="editing")
        if form is None:
            return
        self.pause(1, 3)
        value = changed(field, form.value(field) or "")

        def saved(answer: Page, response):
            shown = answer.find_all("span", class_="inline-field")
            if answer.find_all("form", class_="conflict"):
                return mix.CONFLICT + "someone else changed this value meanwhile"
            if answer.find_all("form", class_="editing") or not shown:
                return "the value was not saved: the editor came back"
            return None

        self.htmx(
            "POST",
            form.attrs["hx-post"],
            mix.INLINE_SAVE,
            body=form.data(**{field: value}),
            target=form.id,
            trigger=form.id,
            check=saved,
        )

    def board_move(self):
        """Open the board (sometimes switch to my deals) and drag one of mine a stage on."""
        page = self.visit("/deals/board/", mix.BOARD)
        if page is None:
            return
        if self.maybe(0.3):
            mine = [a for a in page.find_all("a") if "scope=mine" in a.attrs.get("hx-get", "")]
            if mine:
                self.pause(0.5, 1.5)
                page = self.htmx(
                    "GET", mine[0].attrs["hx-get"], mix.BOARD_MINE, target="board", push=True
                )
                if page is None:
                    return
        open_stages = [
            s.attrs["data-stage"]
            for s in page.find_all("section", class_="column")
            if not (s.has_class("won") or s.has_class("lost"))
        ]
        cards = [
            form
            for form in page.forms
            if form.has_class("move")
            and (found := MOVE_URL.match(form.attrs.get("hx-post", "")))
            and self.claim("deal", int(found.group(1)))
            and form.value("from_stage") in open_stages
        ]
        if not cards or len(open_stages) < 2:
            return
        card = random.choice(cards)
        here = open_stages.index(card.value("from_stage"))
        there = here + 1 if here + 1 < len(open_stages) else here - 1
        self.pause(1, 3)  # finding the card, dragging it
        pk = MOVE_URL.match(card.attrs["hx-post"]).group(1)

        def moved(answer: Page, response):
            if "boardStale" in (response.headers.get("HX-Trigger") or ""):
                if "while you were looking" in (response.text or ""):
                    return mix.CONFLICT + "someone else moved this deal meanwhile"
                return "the deal was not moved"
            return None

        self.htmx(
            "POST",
            card.attrs["hx-post"],
            mix.BOARD_MOVE,
            body=card.data(stage=open_stages[there]),
            target=f"deal-{pk}",
            check=moved,
        )

    def report(self):
        """All reports, then one of them."""
        page = self.visit("/reports/", mix.REPORTS)
        links = [
            a.attrs["href"]
            for a in (page.find_all("a") if page else [])
            if REPORT_URL.match(a.attrs.get("href", ""))
        ]
        if links:
            self.pause(1, 2)
            self.visit(random.choice(links), mix.REPORT)

    def dashboard(self):
        """The dashboard: the page, then each section it loads on its own (hx-trigger=load)."""
        page = self.visit("/reports/dashboard/", mix.DASHBOARD)
        for section in page.find_all("div", hx_trigger="load") if page else []:
            self.htmx("GET", section.attrs["hx-get"], mix.DASHBOARD_SECTION)

    def meeting(self):
        """Meetings → an agenda → its latest meeting, then page through a few sections."""
        page = self.visit("/reports/meetings/", mix.MEETINGS)
        agendas = (
            [
                a.attrs["href"]
                for a in page.find_all("a")
                if AGENDA_URL.match(a.attrs.get("href", ""))
            ]
            if page
            else []
        )
        if not agendas:
            return
        self.pause(0.5, 1.5)
        page = self.visit(agendas[0], mix.AGENDA)
        meetings = (
            [
                a.attrs["href"]
                for a in page.find_all("a")
                if MEETING_URL.match(a.attrs.get("href", ""))
            ]
            if page
            else []
        )
        if not meetings:
            return
        self.pause(0.5, 1.5)
        page = self.visit(meetings[0], mix.MEETING)
        for _ in range(random.randint(1, 3)):
            following = page and page.find_all("a", rel="next")
            if not following:
                break
            self.pause(2, 6)  # talking about the section on the screen
            page = self.htmx(
                "GET", following[0].attrs["hx-get"], mix.MEETING_PAGE, target="stage", push=True
            )

    def settings(self):
        """The admin's settings area: the page, users and teams, the history."""
        self.visit("/settings/", mix.SETTINGS)
        self.pause(1, 3)
        self.visit("/settings/users/", mix.SETTINGS_USERS)
        if self.maybe(0.5):
            self.pause(1, 3)
            self.visit("/settings/history/", mix.SETTINGS_HISTORY)


def changed(field: str, current: str) -> str:
    """What a person types over the value: an amount a little up or down, a later close date."""
    if field == "amount":
        try:
            amount = Decimal(current or "1000")
        except InvalidOperation:
            amount = Decimal(1000)
        factor = Decimal(random.choice(("0.9", "0.95", "1.05", "1.1")))
        return str(max(Decimal(100), (amount * factor).quantize(Decimal(100))))
    try:
        day = date.fromisoformat(current)
    except ValueError:
        day = date.today()
    return (day + timedelta(days=random.choice((7, 14, 30)))).isoformat()


class Rep(Person):
    """Most of the traffic: My day, logging calls, finding people, moving their deals."""

    weight = 3
    accounts = ("ana", "ben", "carla")
    _turns = itertools.count()
    tasks = {
        Person.my_day: 6,
        Person.search: 5,
        Person.log_call: 4,
        Person.contacts: 3,
        Person.deals: 3,
        Person.inline_edit: 3,
        Person.board_move: 3,
        Person.contact: 3,
        Person.quick_call: 2,
        Person.companies: 2,
        Person.activities: 2,
        Person.report: 1,
    }


class Manager(Person):
    """Reports, the dashboard, meetings, the team's deals."""

    weight = 1
    accounts = ("maria", "sam")
    _turns = itertools.count()
    tasks = {
        Person.dashboard: 3,
        Person.report: 3,
        Person.meeting: 3,
        Person.search: 3,
        Person.deals: 2,
        Person.my_day: 2,
        Person.contact: 2,
        Person.board_move: 1,
        Person.inline_edit: 1,
        Person.activities: 1,
    }


class Admin(Person):
    """One admin, now and then: settings, adoption and other reports, a lookup."""

    fixed_count = 1
    accounts = ("admin",)
    _turns = itertools.count()
    tasks = {
        Person.settings: 2,
        Person.report: 2,
        Person.search: 2,
        Person.dashboard: 1,
        Person.contacts: 1,
    }
