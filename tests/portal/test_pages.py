import pytest
from django.urls import reverse

from contributions.models import Plan, Sector

pytestmark = pytest.mark.django_db


def test_home_page_shows_the_seed_plan_table_and_all_twenty_sectors(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    for amount in [
        "RM 1,050",
        "RM 13.10",
        "RM 157.20",
        "RM 1,550",
        "RM 19.40",
        "RM 232.80",
        "RM 2,950",
        "RM 36.90",
        "RM 442.80",
        "RM 3,950",
        "RM 49.40",
        "RM 592.80",
    ]:
        assert amount in body
    assert Sector.objects.count() == 20
    for sector in Sector.objects.all():
        assert sector.name_en in body
    assert "1-300-22-8000" in body
    assert "perkeso@perkeso.gov.my" in body


@pytest.mark.parametrize(
    ("language", "sector_name"),
    [("en", "Passenger Transport"), ("ms", "Pengangkutan Penumpang"), ("zh-hans", "客运")],
)
def test_home_page_in_each_language(client, settings, language, sector_name):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert sector_name in body


def test_language_switch_sets_cookie_and_ignores_unknown_codes(client, settings):
    response = client.post(reverse("set_language"), {"language": "ms", "next": "/help/"})
    assert response.status_code == 302
    assert response["Location"] == "/help/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ms"

    response = client.post(reverse("set_language"), {"language": "xx-evil", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_unknown_url_gets_the_styled_404_page(client):
    response = client.get("/no/such/page/%00%ff?<script>=1")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_malformed_query_strings_do_not_break_pages(client):
    for query in ["?a=%", "?%%%", "?lang=<script>", "?a=" + "x" * 5000, "?next=//evil.example"]:
        response = client.get("/" + query)
        assert response.status_code == 200


def test_bad_language_cookie_falls_back_to_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "../../etc/passwd"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_help_and_terms_pages(client):
    assert client.get(reverse("help")).status_code == 200
    assert client.get(reverse("terms")).status_code == 200


def test_plans_are_the_seed_amounts():
    plans = {
        p.number: (str(p.insured_monthly_earning), str(p.monthly_amount), str(p.yearly_amount))
        for p in Plan.objects.all()
    }
    assert plans == {
        1: ("1050.00", "13.10", "157.20"),
        2: ("1550.00", "19.40", "232.80"),
        3: ("2950.00", "36.90", "442.80"),
        4: ("3950.00", "49.40", "592.80"),
    }
