"""Steps shared by the browser journeys: each drives one part of a flow in Chromium, checks what the person
sees there and takes its screenshots through the `shot` fixture.

`helps` asks for the help page's pictures (static/help/) as well; only one journey does so for each step,
so the guide has one picture a step.
"""

import re
import subprocess
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from matrix_portal import sms
from tests.contributions import files


def no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def log_in_as(page, live_server, user):
    """Copy a force_login session into the browser (for journeys that start after the log-in pages)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _help(helps: bool, name: str) -> str:
    return name if helps else ""


def sign_up(page, shot, *, ic: str, full_name: str, email: str, mobile: str, helps: bool = False):
    """From the Log In page through Sign Up and the SMS code to Sign Up Successful."""
    page.goto("/accounts/login/")
    shot(page, "01-login", help=_help(helps, "signup-01"))
    page.get_by_role("link", name="New to site? Create MATRIX account").click()

    page.get_by_label("IC Number").fill(ic)
    page.get_by_label("Full Name (as in MyKad)").fill(full_name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mobile Phone Number").fill(mobile)
    page.locator("#id_agree_terms").check()
    page.get_by_label("I'm not a robot").check()
    page.get_by_text("Verified", exact=True).wait_for()
    no_horizontal_scroll(page)
    shot(page, "02-sign-up", help=_help(helps, "signup-02"))
    page.get_by_role("button", name="Next").click()

    page.get_by_text("The 6 - Digit code is sent to your mobile phone number").wait_for()
    expect(page.get_by_role("button", name="Resend OTP")).to_be_disabled()  # the countdown runs
    expect(page.get_by_text(re.compile(r"You can ask for a new code in \d+ seconds"))).to_be_visible()
    code = re.search(r"Your OTP requested is (\d{6})", sms.MemoryBackend.outbox[-1]["body"]).group(1)
    page.get_by_label("Enter 6 - digit code").fill(code)
    shot(page, "03-otp", help=_help(helps, "signup-03"))
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("heading", name="Sign Up Successful").wait_for()
    assert "A verification email has been sent to your email." in page.content()
    shot(page, "04-sign-up-successful")


def activate_from_email(page, shot, *, ic: str, phrase: str, password: str, helps: bool = False):
    """Open the link of the activation e-mail, choose the secret phrase and the password."""
    message = mail.outbox[-1]
    assert message.subject.startswith("Pengaktifan Akaun Sistem Online PERKESO")
    link = re.search(r"https?://\S+/accounts/activate/[0-9a-f]{64}/", message.body).group(0)
    page.goto("/accounts/" + link.split("/accounts/", 1)[1])
    assert page.get_by_label("IC Number").input_value() == ic
    page.get_by_label("Secret Phrase").fill(phrase)
    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password)
    shot(page, "05-activation", help=_help(helps, "signup-04"))
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Success! Your MATRIX account is active.").wait_for()


def log_in(page, shot, *, ic: str, phrase: str, password: str, helps: bool = False):
    """Log In with the IC number, see the secret phrase, give the password: the Select Mode page."""
    if "/accounts/login/" not in page.url:
        page.goto("/accounts/login/")
    page.get_by_label("IC Number (e.g. 790811087654)").fill(ic)
    page.get_by_role("button", name="Next").click()
    assert page.get_by_test_id("secret-phrase").inner_text() == phrase
    shot(page, "06-phrase-and-password", help=_help(helps, "login-02"))
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log In").click()
    page.get_by_role("heading", name="One Account. All of MATRIX").wait_for()


def open_self_employed_area(page, shot, step: str):
    """From Select Mode, I'M SELF-EMPLOYED: the dashboard."""
    page.get_by_role("link", name=re.compile("I'M SELF-EMPLOYED")).click()
    page.wait_for_url(re.compile(r"/self-employed/$"))
    assert page.get_by_role("heading", name="REGISTRATION & CONTRIBUTION").is_visible()
    no_horizontal_scroll(page)
    shot(page, step)


def choose_sector(page, shot, label: str, step: str = ""):
    """Dashboard -> Register -> choose the sector -> Submit: the sector's form."""
    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_label("Sector").select_option(label=label)
    if step:
        shot(page, step)
    page.get_by_role("button", name="Submit").click()
    page.get_by_role("button", name="Submit & Pay").wait_for()


def choose_files(page):
    """Real files for the sector form: a JPEG of the IC and a PDF of the licence."""
    page.set_input_files(
        "#id_doc_ic", files=[{"name": "my-ic.jpg", "mimeType": "image/jpeg", "buffer": files.jpeg_bytes()}]
    )
    page.set_input_files(
        "#id_doc_licence",
        files=[{"name": "tg-badge.pdf", "mimeType": "application/pdf", "buffer": files.pdf_bytes()}],
    )


def fill_support_services_form(
    page, *, postcode: str, plan_label_for: str = "id_plan_1", months="5", scripts: bool = True
):
    """The SUPPORT SERVICES form for a tour guide in Kuala Krai, Kelantan (files chosen separately).
    `scripts`: whether the browser runs JavaScript (without it every town is listed, grouped by state)."""
    page.get_by_label("Status Self-Employed Person").select_option("others")
    page.get_by_label("Race").select_option("chinese")
    page.get_by_label("Address Line 1").fill("No. 61 1st Floor")
    page.get_by_label("State").select_option(label="Kelantan")
    # the script lists only the towns of the chosen state; without it, all towns grouped by state
    if scripts:
        towns = page.locator("#id_town optgroup").evaluate_all("groups => groups.map(g => g.label)")
        assert towns == ["Kelantan"]
    else:
        assert page.locator("#id_town optgroup").count() == 16
    page.get_by_label("City").select_option(label="Kuala Krai")
    page.get_by_label("Post Code").fill(postcode)
    page.get_by_label("E-mail Address").fill("leong@example.test")
    page.get_by_label("Preferred PERKESO Branch For Services").select_option(
        label="Pejabat PERKESO Kuala Krai"
    )
    page.get_by_label("Class").select_option(label="Tour Guide")
    page.locator(f"label[for='{plan_label_for}']").click()
    page.get_by_label("Contribution Months").select_option(months)
    page.get_by_label("I hereby certify").check()


def pay_at_bank(
    page, shot, contribution, *, amount: str, outcome: str, bank="Affin Bank", prefix="", helps=False
):
    """PAY NOW -> terms -> Select Bank -> the simulator's bank pages -> back on PAYMENT DETAILS."""
    page.goto(reverse("payments:pay_now", kwargs={"contribution_id": contribution.pk}))
    assert amount in page.locator("main").inner_text()
    page.get_by_role("button", name="Pay with FPX").click()
    assert page.get_by_text("Please tick the box to acknowledge the Terms and Conditions.").first.is_visible()
    page.get_by_label("I acknowledge that I have read and agree to the above Terms and Conditions").check()
    shot(page, f"{prefix}pay-now")
    page.get_by_role("button", name="Pay with FPX").click()
    page.wait_for_url("**/pay/bank/")
    page.get_by_label("Select Bank").select_option(label=bank)
    shot(page, f"{prefix}select-bank", help=_help(helps, "register-04"))
    page.get_by_role("button", name="Pay with FPX").click()
    page.wait_for_url("**/fpx-simulator/bank/*/")  # the signed AR was auto-posted to the gateway
    page.get_by_label("User name").fill("buyer")
    page.get_by_label("Password").fill("anything")
    shot(page, f"{prefix}bank-login")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/tac/")
    page.get_by_label("TAC").fill(page.locator("#simulated-tac").inner_text())
    shot(page, f"{prefix}bank-tac")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/confirm/")
    page.get_by_label(outcome).check()
    shot(page, f"{prefix}bank-confirm")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/payments/*/")  # back through the indirect AC to PAYMENT DETAILS


def detail(page, label: str) -> str:
    """The value beside `label` on PAYMENT DETAILS."""
    return page.locator(f"dt:has-text('{label}:') + dd").inner_text().strip()


def fpx_on(settings, live_server):
    """Point the portal's FPX URLs at the simulator on the live server (direct AC answered inline)."""
    base = live_server.url
    settings.FPX_AR_URL = f"{base}/fpx-simulator/FPXMain/seller2DReceiver.jsp"
    settings.FPX_BE_URL = f"{base}/fpx-simulator/FPXMain/RetrieveBankList"
    settings.FPX_AE_URL = f"{base}/fpx-simulator/FPXMain/sellerNVPTxnStatus.jsp"
    settings.FPX_DIRECT_AC_URL = f"{base}/payments/fpx/direct/"
    settings.FPX_INDIRECT_AC_URL = f"{base}/payments/fpx/return/"
    settings.FPX_SIMULATOR_DIRECT_AC_MODE = "inline"
    return settings


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def download_pdf_text(page, link_name: str, path: Path) -> str:
    """Click a download link, save the file and return its text as pdftotext reads it."""
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link_name).first.click()
    download_info.value.save_as(path)
    return pdf_text(path)
