"""Clinical rules with their numbers and where each comes from. Pure functions: no database, no web."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# PHQ-9 (Kroenke, Spitzer & Williams 2001): total 0–27; bands 0–4 minimal, 5–9 mild, 10–14 moderate,
# 15–19 moderately severe, 20–27 severe.
PHQ9_BANDS = ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"), (20, "severe"))
# GAD-7 (Spitzer et al. 2006): total 0–21; 5/10/15 = mild/moderate/severe; >= 10 warrants evaluation.
GAD7_BANDS = ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe"))
GAD7_EVALUATE_AT = 10
RESPONSE_DROP = 0.5  # response = >= 50% drop from baseline PHQ-9
REMISSION_BELOW = 5  # remission = PHQ-9 total < 5
ANSWER_RANGE = range(0, 4)  # each item 0–3

PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or "
    "restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
GAD7_ITEMS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)
ANSWER_LABELS = ("Not at all", "Several days", "More than half the days", "Nearly every day")
STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"

# C-SSRS screener (Posner et al.; Columbia Lighthouse Project screen version).
CSSRS_QUESTIONS = {
    "q1": "Have you wished you were dead or wished you could go to sleep and not wake up?",
    "q2": "Have you actually had any thoughts of killing yourself?",
    "q3": "Have you been thinking about how you might do this?",
    "q4": "Have you had these thoughts and had some intention of acting on them?",
    "q5": "Have you started to work out or worked out the details of how to kill yourself? "
    "Do you intend to carry out this plan?",
    "q6_lifetime": "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
    "q6_recent": "Was that within the past 3 months?",
}

# Vitals: pre-dose BP > 140/90 (stage 2 hypertension in the 2017 ACC/AHA guideline) is a flag to weigh a delay; a
# rise >= 40 systolic or >= 25 diastolic over baseline is a flag (the increase the SPRAVATO prescribing information
# counts under Warnings and Precautions, "Increase in Blood Pressure"); SpO2 < 92% is a flag.
PRE_DOSE_SYSTOLIC_MAX, PRE_DOSE_DIASTOLIC_MAX = 140, 90
RISE_SYSTOLIC, RISE_DIASTOLIC = 40, 25
SPO2_MIN = 92
# Plausible ranges for entry (anything outside is a typo, not a reading).
SYSTOLIC_RANGE, DIASTOLIC_RANGE, HR_RANGE, SPO2_RANGE = (60, 260), (30, 160), (25, 250), (50, 100)
MINUTE_RANGE = (-120, 600)

# Dosing: IV racemic ketamine usually 0.5 mg/kg over 40 min; studied 0.1–0.75 mg/kg. Entry accepts up to 2 mg/kg
# (IM and some protocols go higher) and refuses anything beyond as a unit error: 2 mg/kg IV is the average dose that
# gives surgical anaesthesia in the KETALAR (ketamine) prescribing information (IV induction 1–4.5 mg/kg).
DOSE_MG_PER_KG_RANGE = (Decimal("0.05"), Decimal("2.0"))
# IV/IM above 0.75 mg/kg needs a confirmed reason: 0.5 mg/kg is the usual dose, some patients respond to 0.1 and
# others need up to 0.75 mg/kg (Andrade 2017, J Clin Psychiatry 78(7):e852, "Ketamine for depression, 4").
DOSE_WARN_ABOVE_MG_PER_KG = Decimal("0.75")
WEIGHT_KG_RANGE = (Decimal("25"), Decimal("350"))
# Oral/sublingual lozenges are dosed in mg: published fixed doses run from 10 mg sublingual (Lara et al. 2013, Int J
# Neuropsychopharmacol) to 300 mg (fixed oral doses 25–300 mg: Andrade 2019, J Clin Psychiatry, "Oral ketamine for
# depression, 2").
LOZENGE_MG_RANGE = (Decimal("10"), Decimal("300"))
# Spravato REMS: observe >= 120 minutes; monitoring form due within 7 days. Doses 56 or 84 mg (28 mg start if >= 65).
REMS_OBSERVATION_MINUTES = 120
REMS_FORM_DUE_DAYS = 7
REMS_BP_CHECKPOINTS = ((-60, 0, "before the dose"), (30, 50, "at about 40 minutes"), (90, 600, "before discharge"))
SPRAVATO_DOSES_MG = (Decimal(28), Decimal(56), Decimal(84))
# The first dose of a Spravato course: 56 mg (SPRAVATO prescribing information, induction day 1); 28 mg for patients
# 65 or older (SPRAVATO EU SmPC section 4.2, elderly patients).
SPRAVATO_FIRST_DOSE_MG = Decimal(56)
SPRAVATO_FIRST_DOSE_ELDERLY_MG = Decimal(28)
ELDERLY_AGE = 65
# Patients are adults: SPRAVATO is labelled for adults and ketamine for depression is studied in adults (18+).
ADULT_AGE = 18
CADSS_RANGE = (0, 92)  # 23 items x 0–4
MOAAS_RANGE = (0, 5)  # 5 = awake ... 0 = unresponsive
ADVERSE_EVENTS = (
    "nausea",
    "vomiting",
    "dizziness",
    "headache",
    "elevated_bp",
    "dissociation",
    "anxiety",
    "sedation",
    "other",
)


def band(total: int, bands: tuple[tuple[int, str], ...]) -> str:
    label = bands[0][1]
    for floor, name in bands:
        if total >= floor:
            label = name
    return label


def score(instrument: str, answers: list[int]) -> tuple[int, str]:
    total = sum(answers)
    return total, band(total, PHQ9_BANDS if instrument == "PHQ9" else GAD7_BANDS)


def phq9_raises_alert(answers: list[int]) -> bool:
    """Item 9 > 0 always raises a risk alert, whatever the total (a positive item 9 calls for a suicide-risk
    assessment in its own right)."""
    return answers[8] > 0


@dataclass(frozen=True)
class CssrsResult:
    answers: dict[str, bool | None]
    highest: int  # 0 = no to all, else the highest question answered yes (6 for behaviour)
    level: str  # none | low | moderate | high
    alert: bool


def cssrs(answers: dict[str, bool | None]) -> CssrsResult:
    """Skip logic: Q3–Q5 are asked only when Q2 is yes; Q6 always; 'within 3 months' only when Q6 is yes."""
    asked = dict(answers)
    if not asked.get("q2"):
        asked.update(q3=None, q4=None, q5=None)
    if not asked.get("q6_lifetime"):
        asked["q6_recent"] = None
    yes = [n for n in (1, 2, 3, 4, 5) if asked.get(f"q{n}")] + ([6] if asked.get("q6_lifetime") else [])
    highest = max(yes, default=0)
    # Risk = highest yes. Yes to Q4, Q5 or behaviour in the past 3 months = high; Q3 or lifetime-only behaviour =
    # moderate; Q1/Q2 = low. Q3 or higher raises an alert.
    if asked.get("q4") or asked.get("q5") or asked.get("q6_recent"):
        level = "high"
    elif highest >= 3:
        level = "moderate"
    else:
        level = "low" if yes else "none"
    return CssrsResult(asked, highest, level, alert=highest >= 3)


def age_on(born: date, day: date) -> int:
    """Whole years of age on `day`, by the calendar: a year is added on the birthday itself (for 29 February, on
    1 March in other years), not every 365 days."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def born_by(day: date, years: int) -> date:
    """The latest date of birth that makes someone `years` old on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, in a year that has none: someone born on the 28th has had the birthday
        return day.replace(year=day.year - years, day=28)


def pre_dose_bp_high(systolic: int, diastolic: int) -> bool:
    """Above 140/90 before the dose: weigh a delay (the same limit as the vital-sign flag)."""
    return systolic > PRE_DOSE_SYSTOLIC_MAX or diastolic > PRE_DOSE_DIASTOLIC_MAX


def total_mg(dose_mg_per_kg: Decimal, weight_kg: Decimal) -> Decimal:
    return (dose_mg_per_kg * weight_kg).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Reading:
    minute_offset: int
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int


def vital_flags(readings: list[Reading]) -> list[str]:
    """Flags over an infusion's readings; the baseline is the earliest reading at or before the dose."""
    flags: list[str] = []
    if not readings:
        return flags
    ordered = sorted(readings, key=lambda r: r.minute_offset)
    baseline = ordered[0] if ordered[0].minute_offset <= 0 else None
    if baseline and (baseline.systolic > PRE_DOSE_SYSTOLIC_MAX or baseline.diastolic > PRE_DOSE_DIASTOLIC_MAX):
        flags.append(f"Pre-dose BP {baseline.systolic}/{baseline.diastolic} is above 140/90: weigh a delay.")
    if baseline:
        for r in ordered[1:]:
            rise_s, rise_d = r.systolic - baseline.systolic, r.diastolic - baseline.diastolic
            if rise_s >= RISE_SYSTOLIC or rise_d >= RISE_DIASTOLIC:
                flags.append(
                    f"BP rose to {r.systolic}/{r.diastolic} at {r.minute_offset} min "
                    f"(+{rise_s}/+{rise_d} over baseline)."
                )
    for r in ordered:
        if r.spo2 < SPO2_MIN:
            flags.append(f"SpO2 {r.spo2}% at {r.minute_offset} min is below {SPO2_MIN}%.")
    return flags


def trend(previous: int | None, latest: int | None) -> str:
    """Arrow for a caseload row: lower PHQ-9 is better."""
    if previous is None or latest is None or previous == latest:
        return "steady"
    return "improving" if latest < previous else "worsening"
