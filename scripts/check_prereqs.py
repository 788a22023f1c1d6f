"""Check the system prerequisites of `make run` and say exactly what to install when one is missing."""

import ctypes.util
import os
import shutil
import sys

problems = []
warnings = []
if sys.version_info < (3, 11):
    problems.append(
        f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}). "
        "Install it (Debian/Ubuntu: sudo apt-get install python3.11 python3.11-venv) "
        "and run: make run PYTHON=python3.11"
    )
try:
    import ensurepip  # noqa: F401
    import venv  # noqa: F401
except ImportError:
    problems.append("Python's venv module is missing. Debian/Ubuntu: sudo apt-get install python3-venv")
if not ctypes.util.find_library("pango-1.0"):
    problems.append(
        "The Pango library (needed by WeasyPrint for PDF receipts) is missing. "
        "Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 ; "
        "macOS: brew install pango"
    )
if not shutil.which("msgfmt"):
    problems.append(
        "GNU gettext (msgfmt) is needed to compile translations. Debian/Ubuntu: sudo apt-get install gettext"
    )

# Receipt fonts come from Debian packages (never from the repository). Without them receipts still render,
# with whatever fonts fontconfig finds, so this is a warning, not a stop.
RECEIPT_FONTS = {
    "fonts-dejavu-core": os.environ.get(
        "RECEIPT_FONT_LATIN", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    ),
    "fonts-droid-fallback": os.environ.get(
        "RECEIPT_FONT_CJK", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
    ),
    # Characters that Droid Sans Fallback lacks are drawn with Noto Sans CJK SC, found by family name.
    "fonts-noto-cjk": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
}
missing_fonts = [package for package, path in RECEIPT_FONTS.items() if not os.path.isfile(path)]
if missing_fonts:
    warnings.append(
        "Receipt fonts are missing, so PDF receipts will use substitute fonts (Chinese names may not show). "
        f"Debian/Ubuntu: sudo apt-get install {' '.join(missing_fonts)} ; "
        "elsewhere set RECEIPT_FONT_LATIN / RECEIPT_FONT_LATIN_BOLD / RECEIPT_FONT_CJK to font files."
    )

for warning in warnings:
    print(f"MATRIX Portal warning: {warning}", file=sys.stderr)

if problems:
    print("MATRIX Portal cannot start yet:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    sys.exit(1)
