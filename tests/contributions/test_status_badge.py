"""{% status_badge %} gives exactly what the include gives, once rendered per status in a page."""

import pytest
from django.template import engines
from django.utils import translation

CONTRIBUTION = "contributions/includes/contribution_status.html"
PAYMENT = "contributions/includes/payment_status.html"


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load contributions_format %}" + source).render(context)


@pytest.mark.parametrize("language", ["en", "ms", "zh-hans"])
@pytest.mark.parametrize(
    ("name", "statuses"),
    [
        (CONTRIBUTION, ["submitted", "active", "rejected", "expired", "renewed", ""]),
        (PAYMENT, ["pending", "paid", "failed", ""]),
    ],
)
def test_the_badge_is_the_include(language, name, statuses):
    with translation.override(language):
        for status in statuses:
            expected = render(f'{{% include "{name}" with status=s %}}', s=status)
            assert render(f'{{% status_badge "{name}" s %}}', s=status) == expected


def test_each_row_gets_its_own_status_and_the_language_of_the_page():
    rows = ["paid", "failed", "paid", "pending"]
    source = '{% for s in rows %}[{% status_badge "' + PAYMENT + '" s %}]{% endfor %}'
    with translation.override("ms"):
        page = render(source, rows=rows)
        singles = [render(f'{{% include "{PAYMENT}" with status=s %}}', s=s) for s in rows]
    assert page == "".join(f"[{single}]" for single in singles)
    assert len(set(singles)) == 3
