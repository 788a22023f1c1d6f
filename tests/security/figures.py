"""Figures the security suite prints at the end of the run (cases tried, payments confirmed, reminders sent).

Tests add to these counters; tests/security/conftest.py writes them in the terminal summary so CI's log
shows them.
"""

from collections import Counter

FIGURES: Counter = Counter()


def add(name: str, count: int = 1) -> None:
    FIGURES[name] += count


def put(name: str, value: int) -> None:
    FIGURES[name] = value
