"""The code systems and codes the FHIR mapping uses: the shipped code lists (docs/fhir.md cites each one's source).

Every coding the mapping writes takes its system and code from here, and a test checks every coding of the demo
export against CODE_LISTS, so a typo in a code cannot reach a receiving system silently.
"""

from __future__ import annotations

from care import icd10

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
PROVENANCE_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"
US_CORE_DOC_CATEGORY = "http://hl7.org/fhir/us-core/CodeSystem/us-core-documentreference-category"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
US_CORE_CAREPLAN_CATEGORY = "http://hl7.org/fhir/us-core/CodeSystem/careplan-category"
# Afterglow's own codes, where no standard code exists (CADSS total, MOAA/S score, the consent kinds).
LOCAL = "urn:afterglow:codes"
MRN = "urn:afterglow:mrn"  # Patient.identifier system; the clinic's slug goes in the identifier's assigner

Coding = dict[str, str]


def coding(system: str, code: str, display: str) -> Coding:
    return {"system": system, "code": code, "display": display}


# Units (UCUM), as Quantity.code
UNITS = (
    coding(UCUM, "mg", "mg"),
    coding(UCUM, "mm[Hg]", "mmHg"),
    coding(UCUM, "/min", "beats/minute"),
    coding(UCUM, "%", "%"),
)

# Vital signs (FHIR R4 vital signs profile / US Core)
VITAL_SIGNS_CATEGORY = coding(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")
SURVEY_CATEGORY = coding(OBSERVATION_CATEGORY, "survey", "Survey")
EXAM_CATEGORY = coding(OBSERVATION_CATEGORY, "exam", "Exam")
BP_PANEL = coding(LOINC, "85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = coding(LOINC, "8480-6", "Systolic blood pressure")
DIASTOLIC = coding(LOINC, "8462-4", "Diastolic blood pressure")
HEART_RATE = coding(LOINC, "8867-4", "Heart rate")
SPO2 = coding(LOINC, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")
SPO2_ALSO = coding(LOINC, "2708-6", "Oxygen saturation in Arterial blood")  # US Core pulse oximetry asks for both

# Dissociation and sedation scores: LOINC has no code for either, so they carry a local code and plain text.
CADSS = coding(LOCAL, "cadss-total", "Clinician-Administered Dissociative States Scale total score")
MOAAS = coding(LOCAL, "moaas", "Modified Observer's Assessment of Alertness/Sedation score")

# Questionnaires (LOINC panels, item codes and the answer list LL358-3)
PHQ9_PANEL = coding(LOINC, "44249-1", "PHQ-9 quick depression assessment panel")
PHQ9_TOTAL = coding(LOINC, "44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score")
GAD7_PANEL = coding(LOINC, "69737-5", "Generalized anxiety disorder 7 item (GAD-7)")
GAD7_TOTAL = coding(LOINC, "70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score")
PHQ9_ITEMS = (
    coding(LOINC, "44250-9", "Little interest or pleasure in doing things"),
    coding(LOINC, "44255-8", "Feeling down, depressed, or hopeless"),
    coding(LOINC, "44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    coding(LOINC, "44254-1", "Feeling tired or having little energy"),
    coding(LOINC, "44251-7", "Poor appetite or overeating"),
    coding(LOINC, "44258-2", "Feeling bad about yourself"),
    coding(LOINC, "44252-5", "Trouble concentrating on things"),
    coding(LOINC, "44253-3", "Moving or speaking slowly, or being fidgety or restless"),
    coding(LOINC, "44260-8", "Thoughts that you would be better off dead, or of hurting yourself"),
)
# Item codes in form order, checked against LOINC 44249-1 / 69737-5 as published implementations code them (e.g.
# the HL7 PGHD IG's GAD-7 example, Aidbox's GAD-7 form): GAD-7 item 2 is 68509-9 (an earlier 68509-0 was a typo);
# 55758-7 is the PHQ-2 total, not an item; 69722-7 (the PHQ-9 "how difficult" item) is not collected.
GAD7_ITEMS = (
    coding(LOINC, "69725-0", "Feeling nervous, anxious or on edge"),
    coding(LOINC, "68509-9", "Not being able to stop or control worrying"),
    coding(LOINC, "69733-4", "Worrying too much about different things"),
    coding(LOINC, "69734-2", "Trouble relaxing"),
    coding(LOINC, "69735-9", "Being so restless that it is hard to sit still"),
    coding(LOINC, "69689-8", "Becoming easily annoyed or irritable"),
    coding(LOINC, "69736-7", "Feeling afraid as if something awful might happen"),
)
FREQUENCY_ANSWERS = (  # 0-3, the answer list both questionnaires share
    coding(LOINC, "LA6568-5", "Not at all"),
    coding(LOINC, "LA6569-3", "Several days"),
    coding(LOINC, "LA6570-1", "More than half the days"),
    coding(LOINC, "LA6571-9", "Nearly every day"),
)

# Medicines (RxNorm) and routes (SNOMED CT route of administration).
# 6130 is meant as RxNorm's ingredient (TTY IN) ketamine; no public source in reach confirmed it when the codes were
# last checked, so docs/fhir.md lists it as unconfirmed (check it on RxNav before an exchange agreement).
# 2201623 "esketamine Nasal Spray" is the clinical drug form (TTY SCDF) and 2201625 "esketamine Nasal Spray
# [Spravato]" the branded form (SBDF): both active and prescribable in RxNorm's 2026-06 release
# (ndclist.com/rxnorm/rxcui/2201623 and /2201625). Esketamine's ingredient concept is not used: its RXCUI could not
# be confirmed.
KETAMINE = coding(RXNORM, "6130", "ketamine")
ESKETAMINE = coding(RXNORM, "2201623", "esketamine Nasal Spray")
ROUTES = {
    "iv": coding(SNOMED, "47625008", "Intravenous route"),
    "im": coding(SNOMED, "78421000", "Intramuscular route"),
    "intranasal": coding(SNOMED, "46713006", "Nasal route"),
    "sublingual": coding(SNOMED, "37839007", "Sublingual route"),
}

# Documents
PROGRESS_NOTE = coding(LOINC, "11506-3", "Progress note")
PATIENT_NOTE = coding(LOINC, "51855-5", "Patient Note")
CLINICAL_NOTE = coding(US_CORE_DOC_CATEGORY, "clinical-note", "Clinical Note")
CONSENT_DOCUMENT = coding(LOINC, "59284-0", "Patient Consent")
TREATMENT_SCOPE = coding(CONSENT_SCOPE, "treatment", "Treatment")
OPT_IN = coding(ACT_CODE, "OPTIN", "opt-in")
AMBULATORY = coding(ACT_CODE, "AMB", "ambulatory")
CONSENT_KINDS = {
    "off_label_ketamine": coding(LOCAL, "consent-off-label-ketamine", "Informed consent: off-label ketamine"),
    "kap": coding(LOCAL, "consent-kap", "Informed consent: ketamine-assisted psychotherapy"),
    "spravato_treatment": coding(LOCAL, "consent-spravato", "Informed consent: esketamine (Spravato) treatment"),
    "spravato_rems": coding(LOCAL, "consent-spravato-rems", "Spravato REMS patient enrolment"),
}

# Diagnoses (Condition): ICD-10-CM, the chart's shipped subset (care/icd10.py), and FHIR R4's status code systems.
CONDITIONS = {code: coding(ICD10CM, code, title) for code, title in icd10.CODES.items()}
CONDITION_ACTIVE = coding(CONDITION_CLINICAL, "active", "Active")
CONDITION_RESOLVED = coding(CONDITION_CLINICAL, "resolved", "Resolved")
CONFIRMED = coding(CONDITION_VERIFICATION, "confirmed", "Confirmed")
CONDITION_IN_ERROR = coding(CONDITION_VERIFICATION, "entered-in-error", "Entered in Error")
PROBLEM_LIST_ITEM = coding(CONDITION_CATEGORY, "problem-list-item", "Problem List Item")

# Allergies (AllergyIntolerance). "No known allergies" is SNOMED CT 716186003 |No known allergy (situation)| in
# AllergyIntolerance.code, as US Core's AllergyIntolerance guidance and the UK Core / AU IPS profiles have it.
ALLERGY_ACTIVE = coding(ALLERGY_CLINICAL, "active", "Active")
ALLERGY_INACTIVE = coding(ALLERGY_CLINICAL, "inactive", "Inactive")
ALLERGY_CONFIRMED = coding(ALLERGY_VERIFICATION, "confirmed", "Confirmed")
NO_KNOWN_ALLERGY = coding(SNOMED, "716186003", "No known allergy")

# The safety plan (CarePlan): US Core's "assess-plan" category, and Afterglow's own code naming the intervention.
ASSESS_PLAN = coding(US_CORE_CAREPLAN_CATEGORY, "assess-plan", "Assessment and Plan of Treatment")
SAFETY_PLAN = coding(LOCAL, "safety-plan", "Safety plan (Stanley-Brown Safety Planning Intervention)")

# Current medications (MedicationStatement): RxNorm ingredient (TTY IN) codes for the psychiatric medications a
# ketamine clinic's patients commonly take, matched on the generic name as typed (a whole word, any case). Each code
# is as CPIC's drug table lists it (github.com/cpicpgx/cpic-schema, drug.sql, RxNorm ids). A medication whose name
# matches none is exported with its name as text only: never a guessed code. Lorazepam, clonazepam, alprazolam,
# quetiapine, trazodone, lithium and buspirone are left out until their codes are confirmed (docs/fhir.md).
RXNORM_INGREDIENTS = {
    name: coding(RXNORM, code, name)
    for code, name in (
        ("704", "amitriptyline"), ("89013", "aripiprazole"), ("38400", "atomoxetine"), ("1658314", "brexpiprazole"),
        ("42347", "bupropion"), ("2002", "carbamazepine"), ("2556", "citalopram"), ("21241", "clobazam"),
        ("2597", "clomipramine"), ("2626", "clozapine"), ("3247", "desipramine"), ("3322", "diazepam"),
        ("3638", "doxepin"), ("72625", "duloxetine"), ("321988", "escitalopram"), ("4493", "fluoxetine"),
        ("42355", "fluvoxamine"), ("5093", "haloperidol"), ("5691", "imipramine"), ("28439", "lamotrigine"),
        ("6813", "methadone"), ("6901", "methylphenidate"), ("6918", "metoprolol"), ("6960", "midazolam"),
        ("15996", "mirtazapine"), ("30125", "modafinil"), ("7242", "naloxone"), ("7243", "naltrexone"),
        ("7531", "nortriptyline"), ("61381", "olanzapine"), ("26225", "ondansetron"), ("7781", "oxazepam"),
        ("32624", "oxcarbazepine"), ("32937", "paroxetine"), ("8787", "propranolol"), ("35636", "risperidone"),
        ("36437", "sertraline"), ("11118", "valproic acid"), ("39786", "venlafaxine"), ("1455099", "vortioxetine"),
    )
}  # fmt: skip

# Signatures (Provenance)
AUTHOR = coding(PROVENANCE_AGENT, "author", "Author")
VERIFIER = coding(PROVENANCE_AGENT, "verifier", "Verifier")
AUTHOR_SIGNATURE = coding(SIGNATURE_TYPE, "1.2.840.10065.1.12.1.1", "Author's Signature")
VERIFICATION_SIGNATURE = coding(SIGNATURE_TYPE, "1.2.840.10065.1.12.1.5", "Verification Signature")


def _codings(value: object) -> list[Coding]:
    if isinstance(value, dict):
        return [value] if "system" in value else [v for v in value.values() if isinstance(v, dict)]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, tuple) else []


# Every (system, code) pair the mapping may write.
CODE_LISTS = frozenset((c["system"], c["code"]) for value in list(globals().values()) for c in _codings(value))
