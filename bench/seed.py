"""Seed the bench database fast: rows are generated in Python and streamed with PostgreSQL COPY.

The data set looks like the scheme's: persons with valid MyKad numbers, sector registrations across all 20
sectors and 16 states (postcode, town and office of the state), and for each registration a chain of paid
contribution periods whose coverage windows come from `contributions.coverage` (renewals paid early start the
day after the previous window). Every paid period has its paid payment (FPX or cash at a counter) and a
receipt with a gapless number per year; some periods had a failed attempt first, and some registrations end
with an unpaid period (a failed or a pending attempt). Separate helpers add the pools the load generator uses:
persons with exactly 50 periods (history page), and unpaid periods with pending FPX payments (direct AC).

Only the columns the bench knows are written; any other column a later migration adds is filled with that
field's default (or NULL / an empty string), so the seeder keeps working as the models grow.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

from accounts.models import User
from contributions.coverage import coverage_end, coverage_window, plan_lock_end
from contributions.models import (
    Contribution,
    Office,
    Plan,
    PostcodeRange,
    Sector,
    SectorClass,
    SectorRegistration,
    State,
    Town,
)
from payments.models import Bank, Payment
from receipts.models import Receipt, ReceiptCounter
from receipts.services import CASH_METHOD_LABEL, FPX_METHOD_LABEL

BENCH_PASSWORD = "Bench-Passw0rd-2026"
NULL = r"\N"
MYT = ZoneInfo(settings.TIME_ZONE)

GIVEN_MALE = ["MUHAMMAD", "AHMAD", "MOHD", "AMIR", "FARID", "HAFIZ", "AZMAN", "RAZAK", "IKHWAN", "SYAFIQ"]
GIVEN_FEMALE = ["NURUL", "SITI", "AISYAH", "FARAH", "AMIRA", "NOR", "HANIS", "ZURAIDA", "ASYIKIN", "SYAFIQAH"]
FATHERS = ["ABDULLAH", "ISMAIL", "HASSAN", "OMAR", "YUSOF", "ZABRI", "RAHMAN", "SALLEH", "KASSIM", "IBRAHIM"]
CHINESE = ["TAN", "LIM", "LEE", "WONG", "NG", "CHONG", "CHAN", "ONG", "LOH", "YAP"]
CHINESE_GIVEN = ["MEI LING", "WEI JIE", "KAH HOE", "SIEW LAN", "CHEE KEONG", "HUI MIN", "JUN HAO", "LI YING"]
INDIAN = ["KUMAR", "RAJ", "DEVI", "PRIYA", "SURESH", "KAVITHA", "MURUGAN", "LAKSHMI"]
INDIAN_FATHERS = ["RAMASAMY", "SUBRAMANIAM", "MUNIANDY", "KRISHNAN", "GOVINDASAMY", "PERUMAL"]
STREETS = ["JALAN MERDEKA", "JALAN BUNGA RAYA", "LORONG SENTOSA", "JALAN IMPIAN", "JALAN TAMAN JAYA"]
FAIL_CODES = [("51", "Insufficient Funds"), ("1C", "Buyer cancelled at the bank"), ("1M", "Session timeout")]
# months paid at a time: single months and full years are the common choices
MONTH_CHOICES = [1, 2, 3, 4, 6, 12]
MONTH_WEIGHTS = [34, 6, 15, 5, 14, 26]
MONTH_CUM_WEIGHTS = [sum(MONTH_WEIGHTS[: i + 1]) for i in range(len(MONTH_WEIGHTS))]
PLAN_CUM_WEIGHTS = [45, 75, 90, 100]


@functools.cache
def _renewal_window(until: dt.datetime, months: int) -> tuple[dt.datetime, dt.datetime]:
    """A period paid while still covered starts the day after `until`: the window depends on nothing else."""
    return coverage_window(paid_at=until, months=months, covered_until=until)


@functools.cache
def _end_for_day(day: dt.date, months: int) -> dt.datetime:
    """The window's end depends only on the start's date in Malaysian time."""
    return coverage_end(start=dt.datetime.combine(day, dt.time(12), tzinfo=MYT), months=months)


def window(*, paid_at: dt.datetime, months: int, covered_until: dt.datetime | None):
    """`contributions.coverage.coverage_window`, with its results reused (the rule only looks at dates)."""
    if covered_until is not None and covered_until >= paid_at:
        return _renewal_window(covered_until, months)
    start = paid_at.astimezone(MYT).replace(microsecond=0)
    return start, _end_for_day(start.date(), months)


def text(value) -> str:
    """One value in COPY's text format (the generated data has no tabs, newlines or backslashes)."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _default_text(model_field: models.Field) -> str:
    if model_field.has_default():
        value = model_field.get_db_prep_save(model_field.get_default(), connection)
        if hasattr(value, "obj"):  # psycopg Jsonb wrapper
            return json.dumps(value.obj)
        return text(value)
    if model_field.null:
        return NULL
    if isinstance(model_field, models.CharField | models.TextField):
        return ""
    raise RuntimeError(
        f"bench/seed.py does not know how to fill {model_field.model.__name__}.{model_field.name}: "
        "add it to the seeder"
    )


class Table:
    """Rows of one model, as COPY text lines; columns the seeder does not set get the field's default."""

    def __init__(self, model: type[models.Model], attnames: list[str]):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.model = model
        self.table = model._meta.db_table
        self.columns = [fields[a].column for a in attnames]
        extra = [f for f in model._meta.concrete_fields if f.attname not in attnames]
        self.columns += [f.column for f in extra]
        self.suffix = "".join("\t" + _default_text(f) for f in extra)
        self.width = len(attnames)
        self.lines: list[str] = []

    def add(self, *values) -> None:
        # text() inlined: this runs a few million times
        self.lines.append(
            "\t".join(
                [
                    v
                    if v.__class__ is str
                    else NULL
                    if v is None
                    else v.isoformat()
                    if v.__class__ is dt.datetime
                    else "t"
                    if v is True
                    else "f"
                    if v is False
                    else str(v)
                    for v in values
                ]
            )
            + self.suffix
        )

    def copy(self, cursor) -> int:
        if not self.lines:
            return 0
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:
            chunk = 20000
            for i in range(0, len(self.lines), chunk):
                copy.write("\n".join(self.lines[i : i + chunk]) + "\n")
        count = len(self.lines)
        self.lines = []
        return count


@dataclass
class Ids:
    """Next primary key per table, continuing across the seeding steps."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


@dataclass
class Person:
    id: int
    ic_number: str
    name: str
    code: str
    language: str


@dataclass
class Registration:
    id: int
    person: Person
    sector_id: int
    sector_name_ms: str
    office_id: int
    submitted_at: dt.datetime


@dataclass
class PendingOrder:
    """An unpaid period with a pending FPX payment, for one direct AC."""

    payment_id: int
    contribution_id: int
    person_id: int
    amount: Decimal
    seller_order_no: str
    exchange_order_no: str
    seller_txn_time: str
    bank_fpx_id: str


class Seeder:
    def __init__(self, *, now: dt.datetime, seed: int = 789):
        self.now = now
        self.rng = random.Random(seed)
        self.ids = Ids()
        self.password_hash = make_password(BENCH_PASSWORD)  # one real Argon2 hash, shared by every person
        self.ic_seen: set[str] = set()
        self.receipt_last: dict[int, int] = {}
        self.staff_ids: list[int] = []
        self.counts: dict[str, int] = {}
        self.periods_of: dict[int, int] = {}  # person id -> contributions (paid or not)
        self._load_reference()
        self._new_tables()

    # reference data -----------------------------------------------------------------------------
    def _load_reference(self) -> None:
        self.sectors = list(Sector.objects.order_by("sort_order"))
        classes: dict[int, list[int]] = {}
        for sector_id, class_id in SectorClass.objects.values_list("sector_id", "id"):
            classes.setdefault(sector_id, []).append(class_id)
        self.classes = classes
        self.plans = list(Plan.objects.order_by("number"))
        self.states = list(State.objects.order_by("sort_order"))
        self.towns: dict[int, list[int]] = {}
        for state_id, town_id in Town.objects.values_list("state_id", "id"):
            self.towns.setdefault(state_id, []).append(town_id)
        self.postcodes: dict[int, list[tuple[int, int]]] = {}
        for state_id, first, last in PostcodeRange.objects.values_list("state_id", "first", "last"):
            self.postcodes.setdefault(state_id, []).append((first, last))
        self.offices: dict[int, list[int]] = {}
        for state_id, office_id in Office.objects.filter(is_active=True).values_list("state_id", "id"):
            self.offices.setdefault(state_id, []).append(office_id)
        self.banks = list(Bank.objects.values_list("id", "name", "fpx_id"))
        if len(self.sectors) < 20 or len(self.states) < 16 or not self.banks:
            raise RuntimeError("reference data missing: run the migrations first")
        self.office_names = dict(Office.objects.values_list("id", "name"))
        # states without an office of their own use the first office in the list
        fallback = next(iter(self.office_names))
        for state in self.states:
            self.offices.setdefault(state.id, [fallback])
            self.towns.setdefault(state.id, [])
        # sector popularity: transport and food dominate, every sector has some people
        self.sector_weights = [30, 22, 4, 2, 1, 3, 9, 2, 4, 8, 1, 5, 2, 1, 1, 1, 1, 1, 1, 1][
            : len(self.sectors)
        ]
        self.sector_weights += [1] * (len(self.sectors) - len(self.sector_weights))
        # state weights, roughly by population
        self.state_weights = [12, 6, 6, 3, 4, 5, 6, 8, 1, 20, 8, 11, 10, 9, 1, 1][: len(self.states)]
        self.state_weights += [1] * (len(self.states) - len(self.state_weights))

    def _new_tables(self) -> None:
        self.users = Table(
            User,
            [
                "id",
                "password",
                "last_login",
                "is_superuser",
                "ic_number",
                "full_name",
                "email",
                "mobile",
                "secret_phrase",
                "language",
                "self_employed_code",
                "is_active",
                "is_staff",
                "date_joined",
                "activated_at",
            ],
        )
        self.registrations = Table(
            SectorRegistration,
            [
                "id",
                "person_id",
                "sector_id",
                "sector_class_id",
                "status",
                "self_employed_status",
                "nationality",
                "race",
                "gender",
                "address_line1",
                "address_line2",
                "state_id",
                "town_id",
                "postcode",
                "house_phone",
                "mobile",
                "email",
                "office_id",
                "submitted_at",
                "reviewed_at",
                "reviewed_by_id",
                "rejection_reason",
                "rejection_note",
                "created_by_id",
            ],
        )
        self.contributions = Table(
            Contribution,
            [
                "id",
                "registration_id",
                "person_id",
                "sector_id",
                "plan_id",
                "months",
                "amount",
                "status",
                "is_renewal",
                "coverage_start",
                "coverage_end",
                "coverage_cancelled_at",
                "plan_locked_from",
                "paid_at",
                "created_at",
            ],
        )
        self.payments = Table(
            Payment,
            [
                "id",
                "contribution_id",
                "method",
                "status",
                "amount",
                "currency",
                "seller_order_no",
                "exchange_order_no",
                "seller_txn_time",
                "bank_id",
                "fpx_txn_id",
                "debit_auth_code",
                "failure_reason",
                "idempotency_key",
                "office_id",
                "staff_id",
                "created_at",
                "paid_at",
                "updated_at",
            ],
        )
        self.receipts = Table(
            Receipt,
            [
                "id",
                "payment_id",
                "number",
                "year",
                "sequence",
                "verification_token",
                "ic_number",
                "self_employed_code",
                "name",
                "sector_name_ms",
                "payment_method_label",
                "plan_yearly_amount",
                "months",
                "amount",
                "paid_at",
                "coverage_start",
                "coverage_end",
                "bank_name",
                "fpx_txn_id",
                "pdf",
                "pdf_sha256",
                "issued_at",
                "voided_at",
                "void_reason",
            ],
        )
        self._receipt_rows: list[tuple] = []

    # people -------------------------------------------------------------------------------------
    def _ic_number(self) -> tuple[str, str]:
        rng = self.rng
        while True:
            born = dt.date(1958, 1, 1) + dt.timedelta(days=rng.randrange(0, 46 * 365))
            place = f"{rng.randint(1, 16):02d}"
            ic = f"{born:%y%m%d}{place}{rng.randrange(10000):04d}"
            if ic not in self.ic_seen:
                self.ic_seen.add(ic)
                return ic, ("male" if int(ic[-1]) % 2 else "female")

    def _name(self, gender: str) -> tuple[str, str, str]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.68:
            given = rng.choice(GIVEN_MALE if gender == "male" else GIVEN_FEMALE)
            link = "BIN" if gender == "male" else "BINTI"
            return f"{given} {link} {rng.choice(FATHERS)}", "Melayu", "ms"
        if roll < 0.90:
            return f"{rng.choice(CHINESE)} {rng.choice(CHINESE_GIVEN)}", "Cina", rng.choice(["zh-hans", "en"])
        link = "A/L" if gender == "male" else "A/P"
        return f"{rng.choice(INDIAN)} {link} {rng.choice(INDIAN_FATHERS)}", "India", "en"

    def add_staff(self, count: int = 40) -> None:
        for _ in range(count):
            uid = self.ids.take("user")
            ic, _gender = self._ic_number()
            joined = timezone.make_aware(dt.datetime(2018, 1, 2, 9, 0))
            self.users.add(
                uid,
                self.password_hash,
                None,
                False,
                ic,
                f"STAFF {uid}",
                f"staff{uid}@perkeso.bench.my",
                None,
                "",
                "ms",
                None,
                True,
                True,
                joined,
                joined,
            )
            self.staff_ids.append(uid)

    def add_person(self, *, first_paid: dt.datetime) -> tuple[Person, str, str]:
        rng = self.rng
        uid = self.ids.take("user")
        ic, gender = self._ic_number()
        name, race, language = self._name(gender)
        state = rng.choices(self.states, weights=self.state_weights)[0]
        code = f"K{state.sort_order:02d}{uid:08d}M"
        joined = first_paid - dt.timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600))
        self.users.add(
            uid,
            self.password_hash,
            None,
            False,
            ic,
            name,
            f"p{uid}@bench.example.my",
            f"+6012{2000000 + uid:07d}",
            "kopi ais",
            language,
            code,
            True,
            False,
            joined,
            joined,
        )
        person = Person(uid, ic, name, code, language)
        person.state = state  # type: ignore[attr-defined]
        person.gender = gender  # type: ignore[attr-defined]
        person.race = race  # type: ignore[attr-defined]
        self.counts["persons"] = self.counts.get("persons", 0) + 1
        return person, gender, race

    def add_registration(self, person: Person, *, sector: Sector, submitted_at: dt.datetime) -> Registration:
        rng = self.rng
        rid = self.ids.take("registration")
        state = person.state  # type: ignore[attr-defined]
        first, last = rng.choice(self.postcodes[state.id])
        towns = self.towns[state.id]
        office_id = rng.choice(self.offices[state.id])
        self.registrations.add(
            rid,
            person.id,
            sector.id,
            rng.choice(self.classes[sector.id]),
            "approved",
            "Pemilik Tunggal",
            "Warganegara",
            person.race,
            person.gender,  # type: ignore[attr-defined]
            f"NO {rng.randint(1, 250)}, {rng.choice(STREETS)} {rng.randint(1, 30)}",
            "",
            state.id,
            rng.choice(towns) if towns else None,
            f"{rng.randint(first, last):05d}",
            "",
            f"012{2000000 + person.id:07d}",
            f"p{person.id}@bench.example.my",
            office_id,
            submitted_at,
            submitted_at + dt.timedelta(days=rng.randint(0, 5)),
            rng.choice(self.staff_ids) if self.staff_ids else None,
            "",
            "",
            None,
        )
        self.counts["registrations"] = self.counts.get("registrations", 0) + 1
        return Registration(rid, person, sector.id, sector.name_ms.upper(), office_id, submitted_at)

    # money --------------------------------------------------------------------------------------
    def _payment(
        self,
        *,
        contribution_id: int,
        registration: Registration,
        amount: Decimal,
        status: str,
        created: dt.datetime,
        paid_at: dt.datetime | None,
        cash: bool = False,
        fail: tuple[str, str] | None = None,
    ) -> tuple[int, str, str, str, str, str]:
        rng = self.rng
        pid = self.ids.take("payment")
        local_created = created.astimezone(MYT)
        txn_time = local_created.strftime("%Y%m%d%H%M%S")
        if cash:
            bank_id, bank_name, fpx_id, fpx_txn = None, "", "", ""
            method, office, staff = "cash", registration.office_id, rng.choice(self.staff_ids)
        else:
            bank_id, bank_name, fpx_id = rng.choice(self.banks)
            fpx_txn = local_created.strftime("%y%m%d%H%M%S") + f"{pid % 10000:04d}"
            method, office, staff = "fpx", None, None
        code, reason = ("00", "") if status == "paid" else (fail or ("", ""))
        if status == "pending":
            fpx_txn = ""
        seller_order = f"MX{pid:010d}"
        exchange_order = f"MXE{created:%Y%m%d}{pid:010d}"
        self.payments.add(
            pid,
            contribution_id,
            method,
            status,
            amount,
            "MYR",
            seller_order,
            exchange_order,
            txn_time,
            bank_id,
            fpx_txn,
            code,
            reason,
            None,
            office,
            staff,
            created,
            paid_at,
            paid_at or created,
        )
        self.counts["payments"] = self.counts.get("payments", 0) + 1
        return pid, bank_name, fpx_txn, seller_order, exchange_order, fpx_id

    def _months(self) -> int:
        return self.rng.choices(MONTH_CHOICES, cum_weights=MONTH_CUM_WEIGHTS)[0]

    def add_chain(
        self,
        registration: Registration,
        *,
        first_paid: dt.datetime,
        count: int,
        months: int | None = None,
        lapse: float = 0.3,
        early_days: float = 14,
    ) -> int:
        """Up to `count` paid periods from `first_paid` on (none paid after now). Returns how many."""
        rng = self.rng
        now = self.now
        plan = rng.choices(self.plans, cum_weights=PLAN_CUM_WEIGHTS)[0]
        paid_at = first_paid
        until = None
        lock_from = lock_end = None
        made = 0
        cash_share = 0.12
        for i in range(count):
            if paid_at >= now:
                break
            n = months or self._months()
            start, end = window(paid_at=paid_at, months=n, covered_until=until)
            if lock_from is None or start > lock_end:
                if lock_from is not None and rng.random() < 0.15:
                    plan = rng.choice(self.plans)
                lock_from = start
                lock_end = plan_lock_end(locked_from=lock_from)
            amount = plan.monthly_amount * n
            created = paid_at - dt.timedelta(minutes=rng.randint(2, 40))
            status = "expired" if end < now else ("renewed" if i else "active")
            cid = self.ids.take("contribution")
            self.contributions.add(
                cid,
                registration.id,
                registration.person.id,
                registration.sector_id,
                plan.id,
                n,
                amount,
                status,
                bool(i),
                start,
                end,
                None,
                lock_from,
                paid_at,
                created,
            )
            if rng.random() < 0.06:  # a failed attempt before the one that went through
                self._payment(
                    contribution_id=cid,
                    registration=registration,
                    amount=amount,
                    status="failed",
                    created=created - dt.timedelta(minutes=rng.randint(1, 20)),
                    paid_at=None,
                    fail=rng.choice(FAIL_CODES),
                )
            cash = rng.random() < cash_share
            pid, bank_name, fpx_txn, _s, _e, _b = self._payment(
                contribution_id=cid,
                registration=registration,
                amount=amount,
                status="paid",
                created=created,
                paid_at=paid_at,
                cash=cash,
            )
            label = (
                f"{self.office_names[registration.office_id]} - {CASH_METHOD_LABEL}"
                if cash
                else FPX_METHOD_LABEL
            )
            self._receipt_rows.append(
                (
                    paid_at,
                    pid,
                    registration,
                    plan.yearly_amount,
                    n,
                    amount,
                    start,
                    end,
                    bank_name,
                    fpx_txn,
                    label,
                )
            )
            made += 1
            until = end
            if rng.random() >= lapse:  # renewed early: paid in the last days of cover
                next_paid = end - dt.timedelta(days=rng.uniform(0.2, early_days))
            else:  # lapsed, came back later
                next_paid = end + dt.timedelta(days=rng.uniform(1, 150))
            paid_at = max(next_paid, paid_at + dt.timedelta(hours=1)).replace(microsecond=0)
        self.counts["contributions"] = self.counts.get("contributions", 0) + made
        person_id = registration.person.id
        self.periods_of[person_id] = self.periods_of.get(person_id, 0) + made
        return made

    def add_unpaid(
        self, registration: Registration, *, status: str, created: dt.datetime
    ) -> PendingOrder | None:
        """An open (submitted) period with a failed or pending FPX attempt."""
        rng = self.rng
        plan = rng.choices(self.plans, cum_weights=PLAN_CUM_WEIGHTS)[0]
        n = self._months()
        amount = plan.monthly_amount * n
        cid = self.ids.take("contribution")
        self.contributions.add(
            cid,
            registration.id,
            registration.person.id,
            registration.sector_id,
            plan.id,
            n,
            amount,
            "submitted",
            True,
            None,
            None,
            None,
            None,
            None,
            created - dt.timedelta(minutes=3),
        )
        self.counts["unpaid contributions"] = self.counts.get("unpaid contributions", 0) + 1
        person_id = registration.person.id
        self.periods_of[person_id] = self.periods_of.get(person_id, 0) + 1
        pid, _bank, _txn, seller_order, exchange_order, fpx_id = self._payment(
            contribution_id=cid,
            registration=registration,
            amount=amount,
            status=status,
            created=created,
            paid_at=None,
            fail=rng.choice(FAIL_CODES) if status == "failed" else None,
        )
        if status != "pending":
            return None
        return PendingOrder(
            payment_id=pid,
            contribution_id=cid,
            person_id=registration.person.id,
            amount=amount,
            seller_order_no=seller_order,
            exchange_order_no=exchange_order,
            seller_txn_time=created.astimezone(MYT).strftime("%Y%m%d%H%M%S"),
            bank_fpx_id=fpx_id,
        )

    # writing ------------------------------------------------------------------------------------
    def number_receipts(self) -> None:
        """Receipt rows for the paid periods generated so far: gapless numbers per year, in payment order."""
        rows = sorted(self._receipt_rows, key=lambda r: (r[0], r[1]))
        self._receipt_rows = []
        randbytes = self.rng.randbytes

        def token(size: int) -> str:
            return base64.urlsafe_b64encode(randbytes(size)).rstrip(b"=").decode()

        for paid_at, pid, reg, yearly, n, amount, start, end, bank_name, fpx_txn, label in rows:
            year = paid_at.astimezone(MYT).year
            sequence = self.receipt_last.get(year, 0) + 1
            self.receipt_last[year] = sequence
            person = reg.person
            self.receipts.add(
                self.ids.take("receipt"),
                pid,
                f"{year:04d}{sequence:010d}",
                year,
                sequence,
                token(32),
                person.ic_number,
                person.code,
                person.name,
                reg.sector_name_ms,
                label,
                yearly,
                n,
                amount,
                paid_at,
                start,
                end,
                bank_name,
                fpx_txn,
                "",
                "",
                paid_at + dt.timedelta(seconds=1),
                None,
                "",
            )
        self.counts["receipts"] = self.counts.get("receipts", 0) + len(rows)

    @staticmethod
    def _drop_secondary_indexes(cursor, table: str) -> list[str]:
        """Drop the table's unique constraints and indexes other than the primary key; return how to rebuild.

        Building an index once after COPY is much cheaper than updating it for every copied row.
        """
        rebuild = []
        cursor.execute(
            "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.conrelid = %s::regclass AND c.contype = 'u' AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)",
            (table,),
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            (table,),
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f"DROP INDEX {name}")
            rebuild.append(definition)
        return rebuild

    def write(self, *, rebuild_indexes: bool | None = None) -> dict[str, int]:
        """COPY everything generated so far (foreign keys are checked by construction, not by triggers).

        With many rows (or rebuild_indexes=True) secondary indexes are dropped first and rebuilt after.
        """
        self.number_receipts()
        tables = (self.users, self.registrations, self.contributions, self.payments, self.receipts)
        if rebuild_indexes is None:
            rebuild_indexes = sum(len(t.lines) for t in tables) > 100_000
        written = {}
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 cursor
            raw.execute("SET session_replication_role = replica")
            raw.execute("SET synchronous_commit = off")
            raw.execute("SET maintenance_work_mem = '256MB'")
            rebuild = []
            if rebuild_indexes:
                for table in tables:
                    rebuild += self._drop_secondary_indexes(raw, table.table)
            for table in tables:
                written[table.table] = table.copy(raw)
            for statement in rebuild:
                raw.execute(statement)
            raw.execute("SET session_replication_role = DEFAULT")
            for year, last in self.receipt_last.items():
                raw.execute(
                    f'INSERT INTO "{ReceiptCounter._meta.db_table}" (year, last) VALUES (%s, %s) '
                    "ON CONFLICT (year) DO UPDATE SET last = EXCLUDED.last",
                    (year, last),
                )
            for model, key in (
                (User, "user"),
                (SectorRegistration, "registration"),
                (Contribution, "contribution"),
                (Payment, "payment"),
                (Receipt, "receipt"),
            ):
                raw.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                    (model._meta.db_table, max(self.ids.next.get(key, 1), 2) - 1),
                )
        return written

    # scenarios ----------------------------------------------------------------------------------
    def _random_first_paid(self, *, span_days: int) -> dt.datetime:
        earliest = self.now - dt.timedelta(days=span_days)
        moment = earliest + dt.timedelta(seconds=self.rng.uniform(0, (self.now - earliest).total_seconds()))
        local = moment.astimezone(MYT)
        # payments happen in the day, mostly in the evening
        return local.replace(hour=self.rng.choice([9, 11, 13, 17, 20, 21, 22]), microsecond=0)

    def history_pool(self, *, persons: int, rows: int) -> list[int]:
        """Persons with one registration and exactly `rows` monthly periods renewed back to back."""
        ids = []
        for _ in range(persons):
            first = (self.now - dt.timedelta(days=31 * rows)).astimezone(MYT).replace(microsecond=0)
            person, _g, _r = self.add_person(first_paid=first)
            registration = self.add_registration(person, sector=self.sectors[1], submitted_at=first)
            made = self.add_chain(registration, first_paid=first, count=rows, months=1, lapse=0, early_days=3)
            assert made == rows, made
            ids.append(person.id)
        return ids

    def population(self, *, persons: int, contributions: int) -> None:
        """`persons` persons with about `contributions` paid periods between them, across all sectors."""
        rng = self.rng
        regs_per_person = 1.2
        made = 0
        registrations: list[Registration] = []
        sectors_of: dict[int, set[int]] = {}
        people: list[Person] = []
        for i in range(persons):
            target_mean = max(1.0, (contributions - made) / ((persons - i) * regs_per_person))
            n_regs = 2 if rng.random() < regs_per_person - 1 else 1
            chosen = set()
            while len(chosen) < n_regs:
                chosen.add(rng.choices(range(len(self.sectors)), weights=self.sector_weights)[0])
            person = None
            for s in chosen:
                count = max(1, round(rng.expovariate(1 / target_mean))) if made < contributions else 0
                span = min(int(count * 5.5 * 30.5 * rng.uniform(0.8, 1.4)) + 30, 7 * 365)
                first = self._random_first_paid(span_days=span)
                if person is None:
                    person, _g, _r = self.add_person(first_paid=first)
                    people.append(person)
                    sectors_of[person.id] = set()
                sectors_of[person.id].add(s)
                registration = self.add_registration(person, sector=self.sectors[s], submitted_at=first)
                registrations.append(registration)
                if count:
                    made += self.add_chain(registration, first_paid=first, count=count)
        # top up: chains that ran into "now" early leave a shortfall; people take up another sector
        while made < contributions:
            person = rng.choice(people)
            free = [s for s in range(len(self.sectors)) if s not in sectors_of[person.id]]
            if not free:
                continue
            s = rng.choice(free)
            sectors_of[person.id].add(s)
            first = self._random_first_paid(span_days=5 * 365)
            registration = self.add_registration(person, sector=self.sectors[s], submitted_at=first)
            registrations.append(registration)
            made += self.add_chain(registration, first_paid=first, count=min(12, contributions - made))
        self._registrations = registrations

    def unpaid_tail(self, *, failed: int, pending: int) -> None:
        """Open periods left by failed or abandoned attempts (on registrations without one open)."""
        rng = self.rng
        pool = rng.sample(self._registrations, min(len(self._registrations), failed + pending))
        self._used_for_unpaid = {r.id for r in pool}
        for i, registration in enumerate(pool):
            created = self.now - dt.timedelta(days=rng.uniform(0, 60))
            self.add_unpaid(registration, status="failed" if i < failed else "pending", created=created)

    def pending_orders(self, count: int) -> list[PendingOrder]:
        """Open periods paid by FPX minutes ago, waiting for their direct AC."""
        rng = self.rng
        candidates = [r for r in self._registrations if r.id not in self._used_for_unpaid]
        pool = rng.sample(candidates, min(count, len(candidates)))
        orders = []
        for registration in pool:
            created = (self.now - dt.timedelta(minutes=rng.uniform(1, 10))).replace(microsecond=0)
            order = self.add_unpaid(registration, status="pending", created=created)
            orders.append(order)
        return orders
