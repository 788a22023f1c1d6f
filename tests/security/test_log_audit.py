import logging

from tests.log_audit import CapturingHandler, find_leaks


def test_the_log_audit_catches_a_planted_secret_and_an_unmasked_ic():
    handler = CapturingHandler()
    logger = logging.getLogger("tests.planted")
    logger.addHandler(handler)
    logger.propagate = False  # keep the planted secrets out of the suite-wide audit
    try:
        logger.warning("password=Correct-Horse-Battery-9 for 900101145567")
        logger.warning("remembered words: %s", "blue hibiscus morning")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    # The redaction filter masks the IC and the key=value password; the free-text phrase is still caught.
    assert "900101-14-****" in handler.lines[0]
    assert "Correct-Horse" not in handler.lines[0]
    assert find_leaks(handler.lines) == [handler.lines[1]]


def test_find_leaks_flags_a_raw_ic():
    assert find_leaks(["INFO x IC 790811087654 logged in"]) == ["INFO x IC 790811087654 logged in"]
