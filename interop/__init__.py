"""Interoperability: the record as HL7 FHIR R4, for the patient (/me/export.fhir.json), for the clinic
(`python -m server fhir-export`) and for staff sessions (/fhir/Patient/{id}). The top room: it reads the other
rooms' models directly and nothing imports it."""
