"""Medications that matter to a ketamine dose: which class a listed medication belongs to, what it does to the dose,
and where that is written. Shown as a flag on the chart, on the pre-dose checklist of the infusion form and on the
infusion record. A flag asks for a clinician's review; it never blocks a dose.

Maintained here, in code review: each class names its members (generic and common US brand names, matched as whole
words of the medication's name as typed) and cites its source. Add a drug to its class's `names` when a clinic meets
one that is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

SPRAVATO_PI = "Spravato (esketamine) nasal spray, US Prescribing Information, Janssen, section 7 (Drug Interactions)"


@dataclass(frozen=True)
class DrugClass:
    key: str
    label: str
    effect: str
    source: str
    names: frozenset[str]


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


CLASSES: tuple[DrugClass, ...] = (
    DrugClass(
        "benzodiazepine",
        "Benzodiazepine",
        "Can blunt ketamine's antidepressant effect (dose-dependent) and adds sedation. Consider the timing of the "
        "evening dose with the prescriber.",
        "Frye MA, Blier P, Tye SJ. J Clin Psychopharmacol 2015;35(3):334-336; Andrashko V et al. Front Psychiatry "
        f"2020;11:844; {SPRAVATO_PI} (7.1 CNS depressants).",
        _names(
            "alprazolam lorazepam clonazepam diazepam temazepam chlordiazepoxide oxazepam triazolam midazolam "
            "clorazepate estazolam xanax ativan klonopin valium restoril librium halcion"
        ),
    ),
    DrugClass(
        "lamotrigine",
        "Lamotrigine",
        "Reduces glutamate release and can attenuate ketamine's effects.",
        "Anand A et al. Arch Gen Psychiatry 2000;57(3):270-276.",
        _names("lamotrigine lamictal"),
    ),
    DrugClass(
        "maoi",
        "MAO inhibitor",
        "May raise blood pressure further: monitor blood pressure closely.",
        f"{SPRAVATO_PI} (7.3 monoamine oxidase inhibitors).",
        _names(
            "phenelzine tranylcypromine isocarboxazid selegiline rasagiline safinamide moclobemide nardil parnate "
            "marplan emsam"
        ),
    ),
    DrugClass(
        "stimulant",
        "Psychostimulant",
        "May raise blood pressure further: monitor blood pressure closely.",
        f"{SPRAVATO_PI} (7.2 psychostimulants: amphetamines, methylphenidate, modafinil, armodafinil).",
        _names(
            "amphetamine dextroamphetamine lisdexamfetamine methamphetamine methylphenidate dexmethylphenidate "
            "modafinil armodafinil adderall vyvanse ritalin concerta focalin provigil nuvigil"
        ),
    ),
    DrugClass(
        "nmda_antagonist",
        "Other NMDA antagonist",
        "Same mechanism as ketamine: expect additive dissociation and sedation; approach with caution.",
        "Namenda (memantine) US Prescribing Information, section 7.1 (use with other NMDA antagonists: amantadine, "
        "ketamine, dextromethorphan).",
        _names("memantine amantadine dextromethorphan namenda gocovri auvelity nuedexta"),
    ),
    DrugClass(
        "opioid",
        "Opioid",
        "Adds sedation and respiratory depression: monitor sedation and oxygen saturation.",
        f"{SPRAVATO_PI} (7.1 CNS depressants).",
        _names(
            "oxycodone hydrocodone morphine hydromorphone fentanyl methadone buprenorphine tramadol codeine "
            "tapentadol oxymorphone oxycontin percocet vicodin norco dilaudid suboxone subutex"
        ),
    ),
    DrugClass(
        "opioid_antagonist",
        "Opioid antagonist",
        "Naltrexone blocked ketamine's antidepressant effect in a crossover trial.",
        "Williams NR et al. Am J Psychiatry 2018;175(12):1205-1215.",
        _names("naltrexone vivitrol"),
    ),
    DrugClass(
        "antihypertensive",
        "Antihypertensive",
        "Treated hypertension: check the pre-dose blood pressure is controlled (ketamine raises it for about an "
        "hour). Clonidine and guanfacine also add sedation.",
        "Ketalar (ketamine hydrochloride) US Prescribing Information, Warnings and Precautions (hemodynamic "
        f"instability); {SPRAVATO_PI.replace(', section 7 (Drug Interactions)', '')} (increase in blood pressure).",
        _names(
            "lisinopril enalapril ramipril benazepril losartan valsartan olmesartan irbesartan amlodipine "
            "nifedipine diltiazem verapamil metoprolol atenolol propranolol carvedilol labetalol bisoprolol "
            "hydrochlorothiazide chlorthalidone clonidine guanfacine hydralazine prazosin doxazosin"
        ),
    ),
)


class Listed(Protocol):
    name: str


@dataclass(frozen=True)
class Flag:
    medication: str
    drug_class: DrugClass


def classes_of(name: str) -> list[DrugClass]:
    """The classes a medication's name (as typed: "Lorazepam 1 mg", "Adderall XR") belongs to."""
    words = set(re.findall(r"[a-z]+", name.lower()))
    return [c for c in CLASSES if words & c.names]


def flags(medications: Iterable[Listed]) -> list[Flag]:
    """One flag per medication and class it belongs to, in the order listed."""
    return [Flag(m.name, c) for m in medications for c in classes_of(m.name)]
