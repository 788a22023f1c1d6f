"""Which pages the axe-core sweep checks, and which URL patterns it leaves out and why.

tests/browser/test_every_page_accessibility.py visits exactly the SWEPT pages (it checks the names of the
pages it reached against this set), in three languages at two sizes. tests/portal/test_axe_coverage.py
walks every URL pattern of the project and fails when one is in neither SWEPT nor EXEMPT, so a page added
later has to be swept, or exempted here with a reason someone can review. Django's own admin (namespace
"admin") is a staff tool with Django's templates and is left out as a whole.
"""

SWEPT = frozenset(
    {
        "home",
        "help",
        "benefits",
        "terms",
        "dev_outbox",
        "accounts:login",
        "accounts:login_password",
        "accounts:signup",
        "accounts:signup_otp",
        "accounts:signup_done",
        "accounts:activate",
        "accounts:forgot_password",
        "accounts:forgot_password_sent",
        "accounts:reset_password",
        "accounts:mode",
        "accounts:settings",
        "accounts:settings_mobile_otp",
        "accounts:confirm_email",
        "accounts:staff_home",
        "contributions:dashboard",
        "contributions:register",
        "contributions:register_form",
        "contributions:history",
        "contributions:view",
        "contributions:renewal",
        "contributions:renew",
        "payments:pay_now",
        "payments:select_bank",
        "payments:to_gateway",
        "payments:details",
        "payments:return_unconfirmed",
        "receipts:verify",
        "backoffice:home",
        "backoffice:review_queue",
        "backoffice:review",
        "backoffice:refunds",
        "backoffice:audit",
        "backoffice:ops",
        "counter:desk",
        "counter:walk_in",
        "counter:person",
        "counter:register",
        "counter:register_form",
        "counter:take_cash",
        "counter:renew_cash",
        "counter:payment",
        "counter:void",
        "counter:reconciliation",
        "fpx_simulator:console",
    }
)

# Reasons starting with POST_ONLY are checked: a GET there must be refused with 405.
POST_ONLY = "POST only:"

EXEMPT = {
    "set_language": f"{POST_ONLY} the language menu's form; it is sent back to the page it came from",
    "accounts:logout": f"{POST_ONLY} the Logout button; it answers with a redirect to the log-in page",
    "payments:check_status": f"{POST_ONLY} the Check payment status button; it redirects to PAYMENT DETAILS",
    "payments:fpx_direct": f"{POST_ONLY} FPX's server-to-server direct AC; it answers with OK text",
    "payments:fpx_return": f"{POST_ONLY} the browser's indirect AC from FPX; it redirects to PAYMENT DETAILS",
    "counter:office": f"{POST_ONLY} the desk's Use this office button; it redirects to the desk",
    "fpx_simulator:seller_receiver": f"{POST_ONLY} the simulated AR receiver; it redirects to the bank",
    "fpx_simulator:bank_list": f"{POST_ONLY} the simulated gateway's BE answer, server to server",
    "fpx_simulator:txn_status": f"{POST_ONLY} the simulated gateway's AE answer, server to server",
    "accounts:second_factor": (
        "reached only by a staff log-in in progress, so it is swept through the log-in pages instead: "
        "tests/browser/test_staff_second_factor.py, in three languages at both sizes"
    ),
    "healthz": "JSON for the load balancer and monitoring, not a page",
    "contributions:document": "a download of the person's own uploaded file (image or PDF)",
    "backoffice:document": "a download of an uploaded file for the reviewer (image or PDF)",
    "receipts:download": "a download: the receipt PDF (its text is read in the journeys)",
    "counter:receipt": "a download: the cash receipt PDF (its text is read in the counter journey)",
    "counter:reconciliation_csv": "a download: the day's cash entries as CSV",
    "backoffice:refunds_csv": "a download: the refund list as CSV",
    "backoffice:audit_csv": "a download: the audit log as CSV",
    "fpx_simulator:login": (
        "the simulated bank's pages exist only while a transaction is at that step, reached from a real "
        "FPX hand-off; a development tool that is never routed in production. They are walked and "
        "photographed at both sizes in tests/browser/test_self_employed_journey.py"
    ),
    "fpx_simulator:tac": "the simulated bank's TAC step (see fpx_simulator:login)",
    "fpx_simulator:confirm": "the simulated bank's confirmation step (see fpx_simulator:login)",
    "fpx_simulator:done": "the simulated bank's hand-back, posted on by its script (see fpx_simulator:login)",
}
