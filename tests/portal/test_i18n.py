"""Every visible template string is marked for translation, and the catalogues are complete."""

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates"] + [
    ROOT / app / "templates" for app in ("accounts", "contributions", "payments", "receipts", "matrix_portal")
]
# Words that are the same in every language: names, brands, codes; and anything with an @ (e-mail addresses).
SAME_IN_EVERY_LANGUAGE = re.compile(
    r"\b(MATRIX|PERKESO|SOCSO|FPX|RM|MyKad|English|Bahasa Malaysia|PDF|QR|SMS|OTP|IC|CSV|OK|ID)\b"
    r"|\S+@\S+|中文"
)
# Templates whose words are fixed by design: the official receipt stays in Malay, the activation e-mail is
# bilingual (Malay and English) as the seed shows it, and the FPX simulator stands in for the gateway's
# and the banks' own pages, which are not the portal's (it is never mounted in production).
FIXED_WORDING = {"receipt_pdf.html", "activation.html", "activation.txt"}
FIXED_WORDING_DIRS = {"simulator"}
# A lone lower-case identifier is a CSS class or block value, not visible text.
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_-]*$")
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label"}


def _strip_template_syntax(source: str) -> str:
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{#.*?#}", " ", source, flags=re.S)
    source = re.sub(r"{%\s*blocktrans(late)?\b.*?{%\s*endblocktrans(late)?\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{%.*?%}", " ", source, flags=re.S)
    source = re.sub(r"{{.*?}}", " ", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S | re.I)
    return re.sub(r"<!--.*?-->", " ", source, flags=re.S)


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_data(self, data):
        text = " ".join(data.split())
        if IDENTIFIER.match(text):
            return
        if re.search(r"[^\W\d_]{2,}", SAME_IN_EVERY_LANGUAGE.sub(" ", text)):
            self.found.append(text)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.handle_data(value)


def _templates():
    for folder in TEMPLATE_DIRS:
        if folder.exists():
            yield from sorted(
                p
                for p in folder.rglob("*.html")
                if p.name not in FIXED_WORDING and not FIXED_WORDING_DIRS.intersection(p.parts)
            )


def test_every_visible_template_string_is_marked_for_translation():
    unmarked = {}
    for template in _templates():
        collector = _TextCollector()
        collector.feed(_strip_template_syntax(template.read_text(encoding="utf-8")))
        if collector.found:
            unmarked[str(template.relative_to(ROOT))] = collector.found
    assert unmarked == {}, f"Unmarked strings (wrap them in {{% trans %}}): {unmarked}"


def test_the_checker_catches_an_unmarked_string():
    collector = _TextCollector()
    collector.feed(
        _strip_template_syntax('<p>{% trans "Marked" %}</p><p>Not marked here</p><img alt="Logo text">')
    )
    assert collector.found == ["Not marked here", "Logo text"]


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("language", ["ms", "zh_Hans"])
def test_catalogue_is_complete(language):
    po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--statistics", "--check", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
