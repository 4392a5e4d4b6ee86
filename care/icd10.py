"""The ICD-10-CM codes a ketamine clinic's chart uses: depression and its common comorbidities, and the conditions
that change dosing risk. A shipped subset, so a code is checked against real codes rather than a pattern.

Source: CDC/NCHS, ICD-10-CM Tabular List of Diseases and Injuries, FY2025 release (chapter 5, F01-F99; I10; G47.00;
R45.851). Only billable (leaf) codes are listed: F43.1 itself is a category, F43.10-F43.12 are the codes. Add a code
here, with its exact title from the tabular list, when a clinic needs it.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    # Major depressive disorder, single episode (F32)
    "F32.0": "Major depressive disorder, single episode, mild",
    "F32.1": "Major depressive disorder, single episode, moderate",
    "F32.2": "Major depressive disorder, single episode, severe without psychotic features",
    "F32.3": "Major depressive disorder, single episode, severe with psychotic features",
    "F32.4": "Major depressive disorder, single episode, in partial remission",
    "F32.5": "Major depressive disorder, single episode, in full remission",
    "F32.81": "Premenstrual dysphoric disorder",
    "F32.89": "Other specified depressive episodes",
    "F32.9": "Major depressive disorder, single episode, unspecified",
    "F32.A": "Depression, unspecified",
    # Major depressive disorder, recurrent (F33)
    "F33.0": "Major depressive disorder, recurrent, mild",
    "F33.1": "Major depressive disorder, recurrent, moderate",
    "F33.2": "Major depressive disorder, recurrent severe without psychotic features",
    "F33.3": "Major depressive disorder, recurrent, severe with psychotic symptoms",
    "F33.40": "Major depressive disorder, recurrent, in remission, unspecified",
    "F33.41": "Major depressive disorder, recurrent, in partial remission",
    "F33.42": "Major depressive disorder, recurrent, in full remission",
    "F33.8": "Other recurrent depressive disorders",
    "F33.9": "Major depressive disorder, recurrent, unspecified",
    "F34.1": "Dysthymic disorder",
    # Bipolar disorder: ketamine for bipolar depression is given with a mood stabiliser and watched for switching
    "F31.4": "Bipolar disorder, current episode depressed, severe, without psychotic features",
    "F31.81": "Bipolar II disorder",
    "F31.9": "Bipolar disorder, unspecified",
    # Anxiety, trauma and obsessive-compulsive disorders
    "F40.10": "Social phobia, unspecified",
    "F41.0": "Panic disorder [episodic paroxysmal anxiety]",
    "F41.1": "Generalized anxiety disorder",
    "F41.9": "Anxiety disorder, unspecified",
    "F42.2": "Mixed obsessional thoughts and acts",
    "F43.10": "Post-traumatic stress disorder, unspecified",
    "F43.11": "Post-traumatic stress disorder, acute",
    "F43.12": "Post-traumatic stress disorder, chronic",
    # Substance use: ketamine itself can be misused; alcohol and opioid use change the plan
    "F10.20": "Alcohol dependence, uncomplicated",
    "F11.20": "Opioid dependence, uncomplicated",
    "F12.20": "Cannabis dependence, uncomplicated",
    "F17.210": "Nicotine dependence, cigarettes, uncomplicated",
    # Other comorbidities seen with treatment-resistant depression
    "F50.00": "Anorexia nervosa, unspecified",
    "F60.3": "Borderline personality disorder",
    "F90.9": "Attention-deficit hyperactivity disorder, unspecified type",
    "G47.00": "Insomnia, unspecified",
    "R45.851": "Suicidal ideations",
    # Hypertension: ketamine raises blood pressure for about an hour after the dose
    "I10": "Essential (primary) hypertension",
}


def normalise(raw: str) -> str:
    """A code as typed ("f332", "F33.2 ", "f33.2") in the tabular list's form ("F33.2")."""
    code = raw.strip().upper().replace(" ", "")
    if len(code) > 3 and "." not in code:
        code = f"{code[:3]}.{code[3:]}"
    return code


def title(code: str) -> str:
    return CODES.get(code, "")
