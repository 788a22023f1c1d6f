"""Account reads: the phrase shown at log-in step 2, last log-in details, staff tools."""

import hashlib
import hmac

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import LoginEvent, User

# Plain words for decoy phrases shown when an IC number has no account. Real phrases are chosen by people,
# usually two to four ordinary words, so a decoy looks like any other phrase.
DECOY_WORDS = (
    "amber",
    "anchor",
    "apple",
    "autumn",
    "bamboo",
    "banana",
    "beach",
    "blue",
    "breeze",
    "bridge",
    "bright",
    "brook",
    "candle",
    "canyon",
    "cedar",
    "cherry",
    "cloud",
    "coconut",
    "copper",
    "coral",
    "cotton",
    "crystal",
    "daisy",
    "dawn",
    "desert",
    "diamond",
    "dolphin",
    "dragon",
    "durian",
    "eagle",
    "ember",
    "emerald",
    "evening",
    "falcon",
    "feather",
    "fern",
    "forest",
    "fountain",
    "garden",
    "ginger",
    "golden",
    "granite",
    "harbor",
    "hazel",
    "hibiscus",
    "hill",
    "honey",
    "island",
    "ivory",
    "jade",
    "jasmine",
    "jungle",
    "kite",
    "lagoon",
    "lantern",
    "lemon",
    "lily",
    "lotus",
    "mango",
    "maple",
    "marble",
    "meadow",
    "melon",
    "mint",
    "misty",
    "monsoon",
    "moon",
    "morning",
    "mountain",
    "nutmeg",
    "ocean",
    "olive",
    "orchid",
    "paddy",
    "palm",
    "panda",
    "pearl",
    "pepper",
    "pine",
    "planet",
    "pond",
    "quiet",
    "rain",
    "rainbow",
    "river",
    "robin",
    "rose",
    "ruby",
    "saffron",
    "sago",
    "sand",
    "silver",
    "sky",
    "snow",
    "spring",
    "star",
    "stone",
    "storm",
    "summer",
    "sun",
    "sunset",
    "swan",
    "tiger",
    "tulip",
    "valley",
    "velvet",
    "violet",
    "water",
    "wave",
    "willow",
    "winter",
    "yellow",
)


def decoy_phrase(*, ic_number: str) -> str:
    """The same made-up phrase every time for a given IC (keyed HMAC over the word list)."""
    key = f"accounts.decoy_phrase:{settings.SECRET_KEY}".encode()
    digest = hmac.new(key, ic_number.encode(), hashlib.sha256).digest()
    count = 2 + digest[0] % 2
    return " ".join(
        DECOY_WORDS[int.from_bytes(digest[1 + 2 * i : 3 + 2 * i], "big") % len(DECOY_WORDS)]
        for i in range(count)
    )


def login_phrase(*, ic_number: str) -> str:
    """The account's secret phrase, or the decoy when there is no active account with a phrase."""
    decoy = decoy_phrase(ic_number=ic_number)
    phrase = (
        User.objects.filter(ic_number=ic_number, is_active=True)
        .values_list("secret_phrase", flat=True)
        .first()
    )
    return phrase or decoy


def failed_logins_since(*, user: User, since) -> int:
    events = LoginEvent.objects.filter(user=user, succeeded=False)
    if since is not None:
        events = events.filter(created_at__gt=since)
    return events.count()


STAFF_TOOLS = [
    # (url name, label, roles that open it; None: superusers only)
    ("backoffice:home", _("Back office"), (roles.COUNTER_STAFF, roles.DOCUMENT_REVIEWER, roles.SUPERVISOR)),
    ("counter:desk", _("Counter payments"), (roles.COUNTER_STAFF, roles.SUPERVISOR)),
    ("counter:reconciliation", _("Cash reconciliation"), (roles.COUNTER_STAFF, roles.SUPERVISOR)),
    ("backoffice:review_queue", _("Document review queue"), (roles.DOCUMENT_REVIEWER,)),
    ("backoffice:refunds", _("Refunds"), (roles.SUPERVISOR,)),
    ("backoffice:audit", _("Audit trail"), (roles.SUPERVISOR,)),
    ("backoffice:ops", _("Operations dashboard"), (roles.SUPERVISOR,)),
    ("admin:index", _("Administration"), None),
]


def staff_tools(*, user: User) -> list[dict]:
    """The staff pages this person's role opens and that exist in this deployment, for the staff home."""
    tools, seen_labels = [], set()
    for url_name, label, allowed in STAFF_TOOLS:
        if allowed is None:
            permitted = user.is_active and user.is_staff and user.is_superuser
        else:
            permitted = roles.has_any_role(user, *allowed)
        if not permitted or str(label) in seen_labels:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        seen_labels.add(str(label))
        tools.append({"url": url, "label": label})
    return tools
