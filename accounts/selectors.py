"""Account reads: the phrase shown at log-in step 2, last log-in details, staff tools."""

import hashlib
import hmac

from django.conf import settings

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


def staff_tools(*, user: User) -> list[dict]:
    """The staff pages this person's role opens, as (url name, label) pairs for the staff home page."""
    from django.utils.translation import gettext_lazy as _

    tools = []
    if roles.has_role(user, roles.COUNTER_STAFF):
        tools.append({"url_name": "payments:counter", "label": _("Counter payments")})
    if roles.has_role(user, roles.DOCUMENT_REVIEWER):
        tools.append({"url_name": "contributions:review_queue", "label": _("Document review queue")})
    if user.is_superuser:
        tools.append({"url_name": "admin:index", "label": _("Administration")})
    return tools
