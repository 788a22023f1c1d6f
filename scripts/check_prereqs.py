"""Check the system prerequisites of `make run` and say exactly what to install when one is missing."""

import ctypes.util
import shutil
import sys

problems = []
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

if problems:
    print("MATRIX Portal cannot start yet:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    sys.exit(1)
