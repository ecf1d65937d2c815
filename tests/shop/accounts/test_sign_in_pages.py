"""The admin's and the partner dashboard's sign-in pages: the same limits as the API, and a
page in the site's own look asking to wait (429), never a JSON body."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
HOME = "198.51.100.10"
PAGES = {
    "admin": ("/admin/login/?next=/admin/", "/admin/"),
    "dashboard": ("/partners/login/", "/partners/dashboard/"),
}


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = 100
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.fixture
def rates(settings):
    def set_sign_in_rate(rate: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                "sign_in": rate,
            },
        }

    return set_sign_in_rate


def person(page: str, email: str):
    """Someone who may use the page: staff for the admin, a partner user for the dashboard."""
    if page == "admin":
        return factories.StaffFactory(email=email)
    return factories.PartnerMembershipFactory(user__email=email).user


def post(client: Client, page: str, email: str, password: str = "wrong", address: str = HOME):
    url = PAGES[page][0]
    return client.post(
        url,
        {"username": email, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def assert_wait_page(response, text: str) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert 'data-testid="sign-in-wait"' in page
    assert text in page
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize("page", PAGES)
def test_wrong_passwords_end_on_a_page_asking_to_wait(limits, page):
    person(page, "alice@example.com")
    client = Client()

    answers = [post(client, page, "alice@example.com") for _ in range(3)]
    right_password = post(client, page, "alice@example.com", PASSWORD)

    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert_wait_page(answers[2], "Too many failed sign-in attempts for this account")
    assert answers[2]["Retry-After"] == "900"
    assert_wait_page(right_password, "15 minute")
    assert "_auth_user_id" not in client.session


def test_the_admin_wait_page_is_an_admin_page(limits):
    person("admin", "alice@example.com")
    client = Client()
    for _ in range(2):
        post(client, "admin", "alice@example.com")

    page = post(client, "admin", "alice@example.com").content.decode()

    assert 'href="/admin/login/"' in page
    assert "admin/css/login.css" in page


def test_the_dashboard_wait_page_is_a_dashboard_page(limits):
    person("dashboard", "alice@example.com")
    client = Client()
    for _ in range(2):
        post(client, "dashboard", "alice@example.com")

    page = post(client, "dashboard", "alice@example.com").content.decode()

    assert "Partner dashboard" in page
    assert 'href="/partners/login/"' in page


@pytest.mark.parametrize("page", PAGES)
def test_another_account_signs_in_from_the_same_address(limits, page):
    person(page, "alice@example.com")
    person(page, "bob@example.com")
    for _ in range(3):
        post(Client(), page, "alice@example.com")
    bob = Client()

    signed_in = post(bob, page, "bob@example.com", PASSWORD)

    assert signed_in.status_code == 302
    assert signed_in["Location"] == PAGES[page][1]
    assert bob.session["_auth_user_id"]


@pytest.mark.parametrize("page", PAGES)
def test_one_client_trying_many_accounts_is_limited_by_rate(rates, page):
    rates("3/min")
    person(page, "staff@example.com")
    client = Client()

    answers = [post(client, page, f"guess{n}@example.com") for n in range(3)]
    over = post(client, page, "staff@example.com", PASSWORD)
    elsewhere = post(Client(), page, "staff@example.com", PASSWORD, address="198.51.100.99")

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert_wait_page(over, "Too many sign-in attempts from your network")
    assert "_auth_user_id" not in client.session
    assert elsewhere.status_code == 302
    # Reading the page is not an attempt.
    assert client.get(PAGES[page][0], REMOTE_ADDR=HOME).status_code == 200
