"""FPX status codes (`fpx_debitAuthCode`): what each means for a payment, and what the person is told.

The messages are written for the person paying, in their language; the gateway's own English names are
kept alongside for the audit trail.
"""

from django.utils.translation import gettext_lazy as _

APPROVED = "00"
PENDING_CODES = frozenset({"09", "99"})
NOT_FOUND = "76"

# code -> the gateway's name for it (for logs and staff)
GATEWAY_NAMES = {
    "00": "Approved",
    "03": "Invalid Merchant",
    "05": "Invalid Seller Or Acquiring Bank Code",
    "09": "Transaction Pending",
    "12": "Invalid Transaction",
    "13": "Invalid Amount",
    "14": "Invalid Buyer Account",
    "20": "Invalid Response",
    "2A": "Transaction Amount Is Lower Than The Minimum Limit",
    "2X": "Transaction Is Canceled By Merchant",
    "30": "Format Error",
    "31": "Invalid Bank",
    "39": "No Credit Account",
    "45": "Duplicate Seller Order Number",
    "46": "Invalid Seller Exchange Or Seller",
    "47": "Invalid Currency",
    "48": "Maximum Transaction Limit Exceeded",
    "49": "Merchant Specific Limit Exceeded",
    "51": "Insufficient Funds",
    "53": "No Buyer Account Number",
    "57": "Transaction Not Permitted",
    "58": "Transaction To Merchant Not Permitted",
    "76": "Transaction Not Found",
    "77": "Invalid Buyer Name Or Buyer ID",
    "78": "Decryption Failed",
    "79": "Host Decline When Down",
    "80": "Buyer Cancel Transaction",
    "83": "Invalid Transaction Model",
    "84": "Invalid Transaction Type",
    "85": "Internal Error At Bank System",
    "87": "Debit Failed Exception Handling",
    "88": "Credit Failed Exception Handling",
    "89": "Transaction Not Received Exception Handling",
    "90": "Bank Internet Banking Unavailable",
    "92": "Invalid Buyer Bank",
    "96": "System Malfunction",
    "98": "MAC Error",
    "99": "Pending Authorization",
    "BB": "Blocked Bank",
    "BC": "Transaction Cancelled By Customer",
    "DB": "Invalid Email Format",
    "FE": "Internal Error",
    "OE": "Transaction Rejected As Not In FPX Operating Hours",
    "OF": "Transaction Timeout",
    "SB": "Invalid Acquiring Bank Code",
    "XC": "Seller Exchange Encryption Error",
    "XE": "Invalid Message",
    "XI": "Invalid Seller Exchange",
    "XM": "Invalid FPX Transaction Model",
    "XN": "Duplicate Seller Exchange Order Number",
    "XO": "Duplicate Exchange Order Number",
    "XS": "Seller Does Not Belong To Exchange",
    "XT": "Invalid Transaction Type",
    "XW": "Seller Exchange Date Difference Exceeded",
    "1A": "Buyer Session Timeout At Internet Banking Login Page",
    "1B": "Buyer Failed To Provide The Necessary Info To Login To Internet Banking Login Page",
    "1C": "Buyer Choose Cancel At Login Page",
    "1D": "Buyer Session Timeout At Account Selection Page",
    "1E": "Buyer Failed To Provide The Necessary Info At Account Selection Page",
    "1F": "Buyer Choose Cancel At Account Selection Page",
    "1G": "Buyer Session Timeout At TAC Request Page",
    "1H": "Buyer Failed To Provide The Necessary Info At TAC Request Page",
    "1I": "Buyer Choose Cancel At TAC Request Page",
    "1J": "Buyer Session Timeout At Confirmation Page",
    "1K": "Buyer Failed To Provide The Necessary Info At Confirmation Page",
    "1L": "Buyer Choose Cancel At Confirmation Page",
    "1M": "Internet Banking Session Timeout",
}

MESSAGE_APPROVED = _("The payment was approved by your bank.")
MESSAGE_PENDING = _("Your bank has not confirmed the payment yet. Please retry after 60 minutes.")
MESSAGE_INSUFFICIENT_FUNDS = _("Your bank declined the payment: there were not enough funds in the account.")
MESSAGE_CANCELLED = _("The payment was cancelled at your bank.")
MESSAGE_TIMED_OUT = _("Your internet banking session timed out before the payment was made.")
MESSAGE_LOGIN_FAILED = _("The payment was not made: the internet banking log-in was not completed.")
MESSAGE_BANK_UNAVAILABLE = _(
    "Your bank's internet banking was not available. Please try again or choose another bank."
)
MESSAGE_AMOUNT_LIMIT = _("The amount is outside the limits your bank or FPX allows for one payment.")
MESSAGE_ACCOUNT_PROBLEM = _("Your bank did not allow the payment from this account.")
MESSAGE_NOT_FOUND = _("FPX has no record of this payment, so no money was taken.")
MESSAGE_OUTSIDE_HOURS = _("Your bank was outside its internet banking operating hours.")
MESSAGE_SYSTEM = _("The payment could not be processed because of a problem at the bank or at FPX.")
MESSAGE_REJECTED = _("FPX rejected the payment request.")
MESSAGE_REFUND_REQUIRED = _(
    "Your bank approved this payment after the contribution had already been paid. PERKESO will refund it."
)

_GROUPS = {
    MESSAGE_INSUFFICIENT_FUNDS: {"51"},
    MESSAGE_CANCELLED: {"80", "BC", "1C", "1F", "1I", "1L", "2X"},
    MESSAGE_TIMED_OUT: {"1A", "1D", "1G", "1J", "1M", "OF"},
    MESSAGE_LOGIN_FAILED: {"1B", "1E", "1H", "1K"},
    MESSAGE_BANK_UNAVAILABLE: {"31", "79", "90", "92", "BB"},
    MESSAGE_AMOUNT_LIMIT: {"13", "2A", "48", "49"},
    MESSAGE_ACCOUNT_PROBLEM: {"14", "39", "53", "57", "58", "77"},
    MESSAGE_NOT_FOUND: {NOT_FOUND},
    MESSAGE_OUTSIDE_HOURS: {"OE"},
    MESSAGE_SYSTEM: {"85", "87", "88", "89", "96", "FE"},
}
_BY_CODE = {code: message for message, codes in _GROUPS.items() for code in codes}


def status_message(code: str):
    """The person-facing (lazy, translatable) explanation of a status code."""
    if code == APPROVED:
        return MESSAGE_APPROVED
    if code in PENDING_CODES:
        return MESSAGE_PENDING
    return _BY_CODE.get(code, MESSAGE_REJECTED)


def gateway_name(code: str) -> str:
    return GATEWAY_NAMES.get(code, "Unknown code")
