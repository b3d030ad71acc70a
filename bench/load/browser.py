"""What a browser reads off a Huddle page before its next request: forms and the values they
would send, the elements htmx acts on, and the headers htmx adds.

The load test must only make requests a real browser makes, with the fields and headers it
makes them with. Reading them off the page (rather than writing URLs and form fields down a
second time) keeps the load test honest when a template changes: a field the page stops
rendering stops being sent, and a form the page no longer has fails the run.

Standard library only (html.parser): the load test is installed beside the app, not into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

# Controls a browser never sends as a form value.
NOT_SENT = frozenset({"submit", "button", "image", "reset", "file"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()


@dataclass
class Form:
    attrs: dict[str, str]
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, value), document order
    options: dict[str, list[Element]] = field(default_factory=dict)  # a select's <option>s

    @property
    def id(self) -> str:
        return self.attrs.get("id", "")

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()

    def value(self, name: str) -> str | None:
        return next((v for n, v in self.fields if n == name), None)

    def data(self, **typed: str) -> list[tuple[str, str]]:
        """The body the browser sends once the user has set `typed` (a radio picked, a text
        typed over, an option chosen): every other successful control as the page left it."""
        sent, seen = [], set()
        for name, value in self.fields:
            if name in typed:
                if name in seen:
                    continue
                value = typed[name]
                seen.add(name)
            sent.append((name, value))
        sent += [(name, value) for name, value in typed.items() if name not in seen]
        return sent

    def query(self, **typed: str) -> str:
        return urlencode(self.data(**typed))


class Page(HTMLParser):
    """One parsed response: `elements` (every start tag, in order, with its text for <a>,
    <option> and <textarea>) and `forms`."""

    TEXT_TAGS = frozenset({"a", "option", "textarea", "span", "h2"})

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, bool, list[Element]] | None = None  # name, multiple, options
        self._open: list[Element] = []  # elements whose text is being collected
        self.feed(html)
        self.close()

    # ---- parsing ---------------------------------------------------------------------------

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs})
        self.elements.append(element)
        if tag in self.TEXT_TAGS:
            self._open.append(element)
        a = element.attrs
        if tag == "form":
            self._form = Form(a)
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            if tag == "option" and self._select is not None:
                self._select[2].append(element)
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in NOT_SENT:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((a["name"], a.get("value", "on")))
                return
            self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], "multiple" in a, [])
        elif tag == "option" and self._select is not None:
            self._select[2].append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in self.TEXT_TAGS:
            self._open.pop()

    def handle_data(self, data):
        for element in self._open:
            element.text += data

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                element = self._open.pop(i)
                if tag == "textarea" and self._form is not None and element.attrs.get("name"):
                    self._form.fields.append((element.attrs["name"], element.text))
                break
        if tag == "select" and self._select is not None:
            self._close_select()
        elif tag == "form":
            self._form = None

    def _close_select(self):
        name, multiple, options = self._select
        self._select = None
        if self._form is None:
            return
        self._form.options[name] = options
        chosen = [o for o in options if "selected" in o.attrs]
        if not chosen and not multiple and options:
            chosen = options[:1]  # a single select always sends one value: the first
        for option in chosen:
            value = option.attrs.get("value", option.text.strip())
            self._form.fields.append((name, value))

    # ---- reading ---------------------------------------------------------------------------

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        """Elements of `tag` whose attributes contain these values (`class_` matches one class;
        `prefix_<attr>` matches the start of the attribute)."""
        found = []
        for element in self.elements:
            if element.tag != tag:
                continue
            if all(_matches(element, key, value) for key, value in attrs.items()):
                found.append(element)
        return found

    def text_after(self, tag: str, class_: str, inner: str) -> str:
        """The text of the first <inner> after the first <tag class="class_">."""
        found = False
        for element in self.elements:
            found = found or (element.tag == tag and element.has_class(class_))
            if found and element.tag == inner:
                return element.text.strip()
        return ""

    def form(self, **attrs: str) -> Form | None:
        for form in self.forms:
            if all(_matches(Element("form", form.attrs), k, v) for k, v in attrs.items()):
                return form
        return None

    def csrf_header(self) -> str:
        """The token htmx sends on every request, from `<body hx-headers='{"X-CSRFToken": …}'>`."""
        for element in self.find_all("body"):
            headers = element.attrs.get("hx-headers", "")
            if "X-CSRFToken" in headers:
                return headers.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]
        return ""


def _matches(element: Element, key: str, value: str) -> bool:
    if key == "class_":
        return element.has_class(value)
    if key.startswith("prefix_"):
        return element.attrs.get(_attr(key[len("prefix_") :]), "").startswith(value)
    return element.attrs.get(_attr(key)) == value


def _attr(key: str) -> str:
    """Python names for HTML attributes: hx_get → hx-get, data_stage → data-stage."""
    return key.replace("_", "-")


def htmx_headers(
    *, current_url: str, csrf: str, target: str = "", trigger: str = "", trigger_name: str = ""
) -> dict[str, str]:
    """The headers htmx 2 adds to a request it makes: HX-Target and HX-Trigger only when the
    target / triggering element has an id, HX-Trigger-Name when it has a name; the CSRF token
    from the body's hx-headers rides along on every one."""
    headers = {"HX-Request": "true", "HX-Current-URL": current_url}
    if target:
        headers["HX-Target"] = target
    if trigger:
        headers["HX-Trigger"] = trigger
    if trigger_name:
        headers["HX-Trigger-Name"] = trigger_name
    if csrf:
        headers["X-CSRFToken"] = csrf
    return headers


def absolute(page_url: str, href: str) -> str:
    return urljoin(page_url, href)
