from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from care.clinical import (
    GAD7_BANDS,
    PHQ9_BANDS,
    Reading,
    age_on,
    band,
    born_by,
    cssrs,
    phq9_raises_alert,
    score,
    total_mg,
    vital_flags,
)


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_it_bands_phq9_at_every_boundary(total, expected):
    assert band(total, PHQ9_BANDS) == expected


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_it_bands_gad7_at_every_boundary(total, expected):
    assert band(total, GAD7_BANDS) == expected


def test_item_nine_raises_an_alert_even_with_a_total_of_one():
    answers = [0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert score("PHQ9", answers) == (1, "minimal")
    assert phq9_raises_alert(answers)
    assert not phq9_raises_alert([3, 3, 3, 3, 3, 3, 3, 3, 0])


def test_cssrs_skips_three_to_five_when_two_is_no():
    result = cssrs(
        {"q1": True, "q2": False, "q3": True, "q4": True, "q5": True, "q6_lifetime": False, "q6_recent": True}
    )
    assert result.answers["q3"] is None and result.answers["q4"] is None and result.answers["q5"] is None
    assert result.answers["q6_recent"] is None
    assert (result.highest, result.level, result.alert) == (1, "low", False)


@pytest.mark.parametrize(
    ("yes", "highest", "level", "alert"),
    [
        ([], 0, "none", False),
        (["q1"], 1, "low", False),
        (["q1", "q2"], 2, "low", False),
        (["q1", "q2", "q3"], 3, "moderate", True),
        (["q1", "q2", "q3", "q4"], 4, "high", True),
        (["q2", "q5"], 5, "high", True),
        (["q6_lifetime"], 6, "moderate", True),
        (["q6_lifetime", "q6_recent"], 6, "high", True),
    ],
)
def test_cssrs_risk_is_the_highest_yes(yes, highest, level, alert):
    names = ["q1", "q2", "q3", "q4", "q5", "q6_lifetime", "q6_recent"]
    result = cssrs({n: n in yes for n in names})
    assert (result.highest, result.level, result.alert) == (highest, level, alert)


def test_dose_total_is_mg_per_kg_times_weight():
    assert total_mg(Decimal("0.5"), Decimal("70")) == Decimal("35.0")
    assert total_mg(Decimal("0.75"), Decimal("81.5")) == Decimal("61.1")


def r(minute, s, d, spo2=98):
    return Reading(minute, s, d, 80, spo2)


def test_vital_flags_pre_dose_bp_above_140_90():
    assert vital_flags([r(-5, 140, 90)]) == []
    assert "above 140/90" in vital_flags([r(-5, 141, 80)])[0]
    assert "above 140/90" in vital_flags([r(-5, 120, 91)])[0]


def test_vital_flags_rise_over_baseline():
    assert vital_flags([r(0, 120, 80), r(30, 159, 104)]) == []
    assert "+40/+0" in vital_flags([r(0, 120, 80), r(30, 160, 80)])[0]
    assert "+0/+25" in vital_flags([r(0, 120, 80), r(30, 120, 105)])[0]


def test_vital_flags_low_oxygen():
    assert vital_flags([r(0, 120, 80, 92)]) == []
    assert "SpO2 91%" in vital_flags([r(0, 120, 80, 91)])[0]


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 11, 23), date(2026, 11, 22), 17),  # the day before the 18th birthday
        (date(2008, 11, 22), date(2026, 11, 22), 18),  # the 18th birthday
        (date(1961, 11, 23), date(2026, 11, 22), 64),  # the day before the 65th birthday
        (date(1961, 11, 22), date(2026, 11, 22), 65),  # the 65th birthday
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # a 29 February birthday comes on 1 March in other years
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_age_counts_calendar_birthdays_not_365_day_years(born, on, age):
    assert age_on(born, on) == age


def test_the_latest_date_of_birth_for_an_age():
    assert born_by(date(2026, 11, 22), 18) == date(2008, 11, 22)
    assert born_by(date(2028, 2, 29), 18) == date(2010, 2, 28)
    assert age_on(born_by(date(2028, 2, 29), 18), date(2028, 2, 29)) == 18
