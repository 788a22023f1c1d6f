"""Hostile input beyond the fixed corpus: every page a visitor can open, every form on it.

For an anonymous visitor, a self-employed person and each staff role, every page of the project that the
visitor gets (pages without parameters, and the access registry's pages for the person's own objects) is
fetched with hostile query strings; then each form on it, found by parsing the HTML, is posted back with the
form's own CSRF token and hostile values: very long strings, NUL bytes, invalid UTF-8, lone surrogates,
SQL/HTML/template injection, negative, huge and non-numeric numbers, lists where one value is expected,
and files of the wrong kind. The CSRF-exempt FPX endpoints get the same values without a token.

What must hold for every request: no 5xx, no traceback or exception name in the body, no redirect to
another site; and for everything the run stored, the model's own validation still passes (nothing
malformed got in), nobody became staff, and no payment or receipt appeared.

Deterministic: the values are a fixed list, combined by a seeded random generator; the number of requests
is bounded (FORM_ROUNDS per form, QUERY_ROUNDS per page).
"""

import random
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from accounts.roles import COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR
from payments.models import Payment
from receipts.models import Receipt
from tests.factories import ContributionFactory, PortalClient, RegistrationFactory, UserFactory
from tests.security import figures
from tests.security.registry import ANONYMOUS, OWNER, REGISTRY, log_in
from tests.security.urls import project_routes

SEED = 789
FORM_ROUNDS = 6  # hostile submissions per form (plus one list-valued and one file round)
QUERY_ROUNDS = 3  # hostile query strings per page

HOSTILE: list[bytes] = [
    b"A" * 20_000,
    b"abc\x00def",
    b"\x00",
    b"\xff\xfe\xfd",  # not UTF-8
    b"\xed\xa0\x80",  # a lone surrogate (U+D800) in UTF-8 form
    b"\xc0\xaf",  # an over-long '/'
    b"' OR '1'='1' --; DROP TABLE accounts_user; --",
    b'"><script>alert(1)</script><img src=x onerror=alert(2)>',
    b"{{ settings.SECRET_KEY }}{% debug %}${7*7}#{7*7}",
    b"-1",
    b"-99999999999999999999999999999",
    b"99999999999999999999999999999999999",
    b"1e309",
    b"NaN",
    b"0x1F",
    "٣٤".encode(),  # Arabic-Indic digits
    b"",
    b" ",
    b"https://evil.example/",
    b"//evil.example/%2f..",
    b"\r\nSet-Cookie: injected=1",
    b"../../../../etc/passwd",
    b"2026-02-30",
    b"99999-12-31T25:61",
    b"true",
    b"[]",
]
QUERY_NAMES = ["q", "page", "next", "status", "sort", "order", "year", "month", "id", "pk", "lang", "format"]
TRACE_MARKERS = ("Traceback", "Exception Value", "OperationalError", "IntegrityError", "DataError", "psycopg")

VISITORS = [ANONYMOUS, OWNER, COUNTER_STAFF, DOCUMENT_REVIEWER, SUPERVISOR]


class FormParser(HTMLParser):
    """The forms of a page: action, method and fields (name, type, first option of a select)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "enctype": attrs.get("enctype") or "",
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "textarea", "button") and attrs.get("name"):
            kind = (attrs.get("type") or ("textarea" if tag == "textarea" else "text")).lower()
            self._form["fields"].append((attrs["name"], kind, attrs.get("value") or ""))
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self._form["fields"].append((attrs["name"], "select", ""))
        elif tag == "option" and self._select and attrs.get("value"):
            fields = self._form["fields"]
            name, kind, value = fields[-1]
            if kind == "select" and not value:  # the first real choice is the select's plausible value
                fields[-1] = (name, kind, attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


class Fuzzer:
    def __init__(self, visitor, client):
        self.visitor, self.client = visitor, client
        self.rng = random.Random(f"{SEED}-{visitor}")
        self.requests = 0
        self.forms = 0
        self.file_posts = 0
        self.user = None if visitor in (ANONYMOUS, OWNER) else log_in(client, visitor, None)
        self.page_owner = {}  # path -> the self-employed person whose object the page shows
        self.home_owner = owned_contribution_owner()  # OWNER on the pages without parameters
        self.seen_forms: set = set()  # the same form on many pages (the language switch) is fuzzed once

    def relog(self, path: str):
        """Every page starts logged in (log-out and other forms end sessions), as its owner for OWNER."""
        user = self.page_owner[path] if self.visitor == OWNER else self.user
        if user is not None and self.client.session.get("_auth_user_id") != str(user.pk):
            self.client.force_login(user)

    def check(self, response, what: str):
        self.requests += 1

        assert response.status_code < 500, f"{what}: {response.status_code}"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        if "html" in response.get("Content-Type", "") or response.status_code >= 400:
            leaked = [marker for marker in TRACE_MARKERS if marker in text]
            assert not leaked, f"{what}: {leaked} in the page"
        location = response.get("Location", "")
        if location:
            target = urlsplit(location)
            assert not target.netloc or target.netloc == "testserver", f"{what}: redirect to {location}"
        return text

    def pages(self) -> list[str]:
        """Pages without parameters, and the registry's pages this visitor may open (a new owner each)."""
        paths = []
        for route in project_routes():
            owner = UserFactory() if route.params else self.home_owner
            if route.params:
                access = REGISTRY.get(route.name)
                if access is None or access.method != "GET" or self.visitor not in access.allowed:
                    continue
                made = access.make(owner)
                path = reverse(route.name, kwargs=made.kwargs)
                self.page_owner[path] = owner
                self.relog(path)
                if made.session:
                    session = self.client.session
                    session.update(made.session)
                    session.save()
            else:
                try:
                    path = reverse(route.name)
                except NoReverseMatch:  # pragma: no cover - unnamed or odd patterns
                    continue
                self.page_owner[path] = owner
            paths.append(path)
        return paths

    def fuzz_page(self, path: str):
        self.relog(path)
        response = self.client.get(path)
        text = self.check(response, f"GET {path}")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        parser = FormParser()
        parser.feed(text)
        names = QUERY_NAMES + [name for form in parser.forms for name, _kind, _value in form["fields"]]
        for _ in range(QUERY_ROUNDS):
            query = urlencode([(self.rng.choice(names), self.rng.choice(HOSTILE)) for _ in range(3)])
            self.check(self.client.get(path, QUERY_STRING=query), f"GET {path}?{query[:80]}")
        for form in parser.forms:
            action = urljoin(path, form["action"] or path)
            shape = (urlsplit(action).path, tuple(sorted(name for name, _kind, _value in form["fields"])))
            if form["method"] != "post" or action.rstrip("/").endswith("logout") or shape in self.seen_forms:
                continue
            self.seen_forms.add(shape)
            self.forms += 1
            self.fuzz_form(path, action, form)

    def token(self, path: str) -> str:
        """The CSRF secret from the cookie (what the form's masked token stands for); a GET sets it."""
        self.relog(path)
        cookie = self.client.cookies.get(settings.CSRF_COOKIE_NAME)
        if cookie is None or not cookie.value:
            self.client.get(path)
            cookie = self.client.cookies.get(settings.CSRF_COOKIE_NAME)
        return cookie.value if cookie else ""

    def fuzz_form(self, page: str, action: str, form: dict):
        fields = [
            (name, kind, value) for name, kind, value in form["fields"] if name != "csrfmiddlewaretoken"
        ]
        files = [name for name, kind, _value in fields if kind == "file"]
        scalars = [(name, value) for name, kind, value in fields if kind != "file"]
        for round_ in range(FORM_ROUNDS + 1):
            pairs = [("csrfmiddlewaretoken", self.token(page).encode())]
            # Odd rounds keep the form's own values and spoil one or two fields, to get past the first
            # check; even rounds spoil every field; the last round sends two values for every field.
            spoiled = {name for name, _value in self.rng.sample(scalars, min(len(scalars), 2))}
            for name, value in scalars:
                if round_ == FORM_ROUNDS:
                    pairs += [(name, self.rng.choice(HOSTILE)), (name, self.rng.choice(HOSTILE))]
                elif round_ % 2 and name not in spoiled:
                    pairs.append((name, value.encode()))
                else:
                    pairs.append((name, self.rng.choice(HOSTILE)))
            body = urlencode(pairs)
            response = self.client.post(action, body, content_type="application/x-www-form-urlencoded")
            self.check(response, f"POST {action} from {page} (round {round_})")
        if files:
            data = {name: value or "x" * 300 for name, value in scalars}
            data["csrfmiddlewaretoken"] = self.token(page)
            for name in files:
                data[name] = SimpleUploadedFile(
                    "../../invoice.pdf.exe", b"MZ\x90\x00" + b"\x00" * 512, content_type="application/pdf"
                )
            self.check(self.client.post(action, data), f"POST {action} with files from {page}")
            self.file_posts += 1


PATH_ROUNDS = 3  # hostile values per path parameter, besides NUL
PATH_VALUES = [
    "99999999999999999999999", "0", "a%00b", "%FF%FE", "%ED%A0%80", "..%2F..%2Fetc%2Fpasswd",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%7B%7B7*7%7D%7D", "' OR 1=1--", "A" * 3000,
]  # fmt: skip


def hostile_paths(rng: random.Random) -> list[str]:
    """Every pattern with parameters, its parameters replaced by hostile (percent-encoded) values: NUL
    always, and PATH_ROUNDS others chosen by `rng`. Integer parameters take the numeric values only
    (anything else is Django's own 404 before a view)."""
    paths = []
    for route in project_routes():
        converters = route.pattern.pattern.converters
        if not converters:
            continue
        marks = {}  # parameter -> a placeholder reverse() accepts, replaced by the value afterwards
        for index, (name, converter) in enumerate(converters.items()):
            numeric = type(converter).__name__ == "IntConverter"
            marks[name] = (str(424242420 + index) if numeric else f"zzplaceholder{index}", numeric)
        template = reverse(route.name, kwargs={name: mark for name, (mark, _numeric) in marks.items()})
        for value in ["%00", *rng.sample(PATH_VALUES, PATH_ROUNDS)]:
            path = template
            for mark, numeric in marks.values():
                path = path.replace(mark, value if value.isdigit() or not numeric else "1")
            paths.append(path)
    return paths


def owned_contribution_owner():
    owner = UserFactory()
    ContributionFactory(registration=RegistrationFactory(person=owner))
    return owner


def stored_rows() -> dict:
    """Highest primary key of every project model (what was there before the run)."""
    marks = {}
    for model in project_models():
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        marks[model] = last
    return marks


def project_models():
    labels = {"accounts", "contributions", "payments", "receipts", "matrix_portal"}
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in labels
        and model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField"}
    ]


def assert_new_rows_are_valid(before: dict) -> int:
    checked = 0
    for model, last in before.items():
        new = model.objects.all() if last is None else model.objects.filter(pk__gt=last)
        # A nullable boolean is "not known yet" (a gateway message whose signature was not checked).
        unknown = [f.name for f in model._meta.fields if f.get_internal_type() == "BooleanField" and f.null]
        for row in new[:200]:
            row.full_clean(exclude=unknown, validate_unique=False, validate_constraints=False)
            checked += 1
    return checked


FPX_FIELDS = ["fpx_msgType", "fpx_msgToken", "fpx_sellerExOrderNo", "fpx_sellerOrderNo", "fpx_fpxTxnId",
              "fpx_txnAmount", "fpx_debitAuthCode", "fpx_checkSum", "fpx_buyerBankId"]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("visitor", VISITORS)
def test_every_page_and_form_survives_hostile_input(reference_data, visitor):
    client = PortalClient(enforce_csrf_checks=True, raise_request_exception=False)
    fuzzer = Fuzzer(visitor, client)
    pages = fuzzer.pages()  # makes the objects the pages show
    staff_before = set(User.objects.filter(is_staff=True).values_list("pk", flat=True))
    paid_before = Payment.objects.filter(status=Payment.Status.PAID).count()
    receipts_before = Receipt.objects.count()
    before = stored_rows()

    for path in pages:
        fuzzer.fuzz_page(path)
    for path in hostile_paths(fuzzer.rng):  # ids and tokens in the path itself
        fuzzer.relog(next(iter(fuzzer.page_owner)))
        fuzzer.check(client.get(path), f"GET {path[:120]}")
    if visitor == ANONYMOUS:  # the signature-authenticated FPX endpoints take no CSRF token
        rng = random.Random(SEED)
        for name in ("payments:fpx_direct", "payments:fpx_return"):
            for _ in range(FORM_ROUNDS):
                body = urlencode([(field, rng.choice(HOSTILE)) for field in FPX_FIELDS])
                response = client.post(reverse(name), body, content_type="application/x-www-form-urlencoded")
                fuzzer.check(response, f"POST {name}")

    checked = assert_new_rows_are_valid(before)
    assert set(User.objects.filter(is_staff=True).values_list("pk", flat=True)) == staff_before
    assert Payment.objects.filter(status=Payment.Status.PAID).count() == paid_before
    assert Receipt.objects.count() == receipts_before
    assert len(pages) >= 5 and fuzzer.requests > len(pages)
    figures.add("fuzz: pages fetched with hostile query strings", len(pages))
    figures.add("fuzz: forms posted with hostile values", fuzzer.forms)
    figures.add("fuzz: hostile requests sent (no 5xx, no trace)", fuzzer.requests)
    figures.add("fuzz: rows stored by hostile requests, all valid", checked)
    figures.add("fuzz: forms posted with files of the wrong kind", fuzzer.file_posts)
    print(
        f"fuzz {visitor}: {len(pages)} pages, {fuzzer.forms} forms, {fuzzer.requests} requests, "
        f"{checked} rows checked"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/fpx-simulator/bank/%00/confirm/", "/receipts/verify/MX%00/abc/", "/%00"])
def test_a_nul_byte_in_the_path_is_a_plain_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "portal.css" in response.content.decode()  # the portal's own page, not a trace
