"""The suite's dates hold whenever it runs: no test module reads the clock when it is imported (the
suite takes a quarter of an hour, so such a date is stale after midnight), and no test starts in the
last minute of a day."""

import ast
import datetime as dt
import pathlib
import zoneinfo

import pytest
from django.test import override_settings

from tests import clock

TESTS = pathlib.Path(__file__).parent
CLOCK_READS = {"now", "today", "localdate", "localtime", "days"}


class _ImportTimeClockReads(ast.NodeVisitor):
    """Calls such as timezone.localdate(), dt.date.today() or clock.days(3) that run when the module is
    imported: at its top level, in a class body, a decorator (parametrize cases) or a default argument."""

    def __init__(self):
        self.found: list[tuple[int, str]] = []
        self._in_function = 0

    def visit_FunctionDef(self, node):
        for part in (*node.decorator_list, *node.args.defaults, *node.args.kw_defaults):
            if part is not None:
                self.visit(part)
        self._in_function += 1
        for statement in node.body:
            self.visit(statement)
        self._in_function -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self._in_function += 1
        self.generic_visit(node)
        self._in_function -= 1

    def visit_Call(self, node):
        func = node.func
        if not self._in_function and isinstance(func, ast.Attribute) and func.attr in CLOCK_READS:
            self.found.append((node.lineno, ast.unparse(node)))
        self.generic_visit(node)


def import_time_clock_reads(source: str) -> list[tuple[int, str]]:
    visitor = _ImportTimeClockReads()
    visitor.visit(ast.parse(source))
    return visitor.found


def test_no_test_module_reads_the_clock_when_imported():
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}: {call}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, call in import_time_clock_reads(path.read_text())
    ]
    assert not found, "read the date when the test runs (tests/clock.py), not at import:\n" + "\n".join(found)


def test_the_rule_sees_each_way_a_module_can_read_the_clock_at_import():
    source = """
TODAY = timezone.localdate()
class Case:
    when = dt.date.today()
@pytest.mark.parametrize("day", [clock.days(3)])
def test(day, at=timezone.now()):
    return clock.today(), (lambda: clock.now())
"""
    assert [call for _, call in import_time_clock_reads(source)] == [
        "timezone.localdate()",
        "dt.date.today()",
        "clock.days(3)",
        "timezone.now()",
    ]


@pytest.mark.parametrize(
    "local_time, wait",
    [
        ((23, 59, 0), 61),  # the last minute: wait until just past midnight
        ((23, 59, 59), 2),
        ((23, 58, 59), 0),  # a minute and a second left: start now
        ((0, 0, 0), 0),
        ((12, 0, 0), 0),
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York"])
def test_a_test_never_starts_in_the_last_minute_of_the_local_day(local_time, wait, zone):
    with override_settings(TIME_ZONE=zone):
        moment = dt.datetime(2026, 12, 7, *local_time, tzinfo=zoneinfo.ZoneInfo(zone))
        assert clock.wait_before_midnight(moment) == dt.timedelta(seconds=wait)
