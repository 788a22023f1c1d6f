from tests.security.figures import FIGURES


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FIGURES:
        return
    terminalreporter.section("security and reliability figures")
    for name, value in sorted(FIGURES.items()):
        terminalreporter.write_line(f"security figures: {name}: {value}")
