"""Time helpers: aware datetimes, shown in Malaysian time in MATRIX's formats."""

from datetime import datetime

from django.utils import timezone

DATETIME_FORMAT = "%d-%m-%Y %H:%M:%S"
DATE_FORMAT = "%d-%m-%Y"


def local(value: datetime) -> datetime:
    return timezone.localtime(value)


def format_datetime(value: datetime | None) -> str:
    """19-12-2019 16:26:12 (Malaysia time), as MATRIX prints it."""
    return local(value).strftime(DATETIME_FORMAT) if value else ""


def format_date(value: datetime | None) -> str:
    return local(value).strftime(DATE_FORMAT) if value else ""
