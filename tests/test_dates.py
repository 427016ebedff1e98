"""The dates exports write are read as the day they name, and anything else is no date."""

from __future__ import annotations

from datetime import date

import pytest

from sync.dates import given_date, read_date, slash_order

NOV_1 = date(2026, 11, 1)


class TestReadDate:
    """Every form a real export writes reads as its calendar day; a time and zone are dropped."""

    @pytest.mark.parametrize(
        "text",
        [
            "2026-11-01",  # Greenhouse, BambooHR
            "2026-11-01 09:00:00",  # Lever's (GMT) columns
            "2026-11-01T12:00:00.000Z",  # Ashby
            "2026-11-01 08:30:00 UTC",  # Recruitee, Workable
            "2026-11-01T00:00:00",  # SmartRecruiters
            "2026-11-01 23:59:59+01:00",
            "2026/11/01",
            "01.11.2026",  # Personio (DD.MM.YYYY)
            "01.11.2026 15:59:12",  # Teamtailor
            "1.11.26",
            "01-11-26 09:00",  # a Lever CSV re-saved by Excel (%d-%m-%y %H:%M)
            "01-11-2026",
            "11/01/2026",  # iCIMS, JazzHR: month first
            "11/01/2026 3:45 PM",
            "Nov 1, 2026",
            "November 1st, 2026",
            "1 Nov 2026",
            "01-Nov-2026",
            "1. November 2026",
            "46327",  # an Excel serial day that reached a CSV as its number
            "46327.375",  # with a time of day
            "1762000000",  # Unix seconds (2025-11-01 12:26 UTC) — see below
            "  2026-11-01  ",
        ],
    )
    def test_export_forms(self, text: str) -> None:
        expected = date(2025, 11, 1) if text == "1762000000" else NOV_1
        assert read_date(text) == expected

    def test_unix_milliseconds(self) -> None:
        assert read_date("1762000000000") == date(2025, 11, 1)

    def test_german_month_names(self) -> None:
        assert read_date("3. März 2026") == date(2026, 3, 3)
        assert read_date("1 Dez 2026") == date(2026, 12, 1)

    @pytest.mark.parametrize(
        "text",
        ["", "1", "3", "x", "Hired", "yesterday", "2026-13-01", "31.02.2026", "2026", "12345",
         "1/2", "Nov 2026", "0000-01-01", "9999-01-01", "45962.5.1", "01.11.2026 or so"],
    )  # fmt: skip
    def test_anything_else_is_no_date(self, text: str) -> None:
        """Never a guess: dateutil would read '1' as the first of this month."""
        assert read_date(text) is None

    def test_slashes_month_first_unless_told(self) -> None:
        assert read_date("05/11/2026") == date(2026, 5, 11)
        assert read_date("05/11/2026", day_first=True) == date(2026, 11, 5)
        # A part over 12 decides by itself, whatever the column says.
        assert read_date("13/05/2026") == date(2026, 5, 13)
        assert read_date("05/13/2026", day_first=True) == date(2026, 5, 13)


class TestSlashOrder:
    """A column's slashed dates show their order by a value with a part over 12."""

    def test_a_day_over_12_first_means_day_first(self) -> None:
        assert slash_order(["05/11/2026", "13/11/2026", "2026-11-01"]) is True

    def test_a_day_over_12_second_means_month_first(self) -> None:
        assert slash_order(["05/11/2026", "11/13/2026"]) is False

    def test_no_value_decides(self) -> None:
        assert slash_order(["05/11/2026", "01/02/2026"]) is None

    def test_disagreeing_values_decide_nothing(self) -> None:
        assert slash_order(["13/05/2026", "05/13/2026"]) is None


class TestGivenDate:
    """A date a person types (a flag, a config key, a mapping) reads one way only."""

    def test_iso_and_dotted(self) -> None:
        assert given_date("2026-11-01") == given_date("01.11.2026") == NOV_1

    def test_slashes_read_two_ways(self) -> None:
        with pytest.raises(ValueError, match="reads two ways"):
            given_date("03/04/2026")

    def test_not_a_date_says_what_to_write(self) -> None:
        with pytest.raises(ValueError, match=r"not a date; write 2026-11-01 or 01.11.2026"):
            given_date("Nov 1")
