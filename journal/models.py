"""The patient's journal: entries with append-only revisions, practice prompts, and sharing preferences."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from care.models import Infusion, Patient


class Kind(StrEnum):
    POST_SESSION = "post_session"
    CHECK_IN = "check_in"
    FREE = "free"
    INTENTION = "intention"  # written before a dosing session (journal/intentions.py)


class Scales(Model):
    """The scales an entry holds, and each of its versions with it (journal/versions.py CONTENT)."""

    mood = fields.IntField(null=True)
    anxiety = fields.IntField(null=True)
    energy = fields.IntField(null=True)
    sleep = fields.IntField(null=True)
    # The 10-second check-in (journal/checkin.py): a 5-point mood (1 awful … 5 great), feeling and activity chips
    # (keys from checkin.CHIPS) and hours slept. Any entry may carry them; the check-in editor asks for them first.
    mood5 = fields.IntField(null=True)
    tags: fields.Field[list | None] = fields.JSONField(null=True)
    sleep_hours = fields.FloatField(null=True)

    class Meta:
        abstract = True


class JournalEntry(Scales):
    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="journal_entries", on_delete=fields.RESTRICT
    )
    patient_id: int
    infusion: fields.ForeignKeyNullableRelation[Infusion] = fields.ForeignKeyField(
        "models.Infusion", related_name="journal_entries", null=True, on_delete=fields.SET_NULL
    )
    infusion_id: int | None
    kind = fields.CharEnumField(Kind, max_length=16)
    # A random key from the page that started the entry, so a retried first save never makes a second entry.
    draft_key = fields.CharField(max_length=64)
    title = fields.CharField(max_length=200, default="")
    prompts: fields.Field[list] = fields.JSONField(default=list)  # [{"key": ..., "question": ...}]
    answers: fields.Field[dict] = fields.JSONField(default=dict)  # {key: text}
    body = fields.TextField(default="")
    shared = fields.BooleanField(default=False)
    shared_at = fields.DatetimeField(null=True)
    crisis_language = fields.BooleanField(default=False)
    # Which prompt this entry answers: "schedule:<infusion id>:<hours>" or "practice:<prompt id>".
    prompt_ref = fields.CharField(max_length=40, default="")
    # The words of the prompt that started the entry ("Morning walk, 10 minutes"; "It has been a week since session
    # 5. How are things now?"), kept so the entry is headed by its own question for as long as it exists.
    prompt_text = fields.CharField(max_length=500, default="", db_default="")
    # When the care team was alerted about this entry (shared with crisis language, or the patient pressed "Let my
    # care team know"): claimed with one conditional UPDATE, so a double click or a race makes one alert.
    alerted_at = fields.DatetimeField(null=True)
    # Title, answers and body in one lower-cased column, for the patient's own search.
    search_text = fields.TextField(default="")
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    # Moved to "Recently deleted" at this time (None: in the journal). Gone for good 30 days later (journal/trash.py).
    deleted_at = fields.DatetimeField(null=True)
    # A conflict copy (journal/conflicts.py): the entry it was split from when two windows saved it at once, and the
    # editor sitting whose text it holds, so that window's later saves keep going to the copy.
    conflict_of: fields.ForeignKeyNullableRelation[JournalEntry] = fields.ForeignKeyField(
        "models.JournalEntry", related_name="conflict_copies", null=True, on_delete=fields.SET_NULL
    )
    conflict_of_id: int | None
    conflict_sitting = fields.CharField(max_length=64, default="", db_default="")

    class Meta:
        table = "journal_entry"
        unique_together = (("patient", "draft_key"),)
        # (patient_id, id): the journal list pages newest first by id, so it reads 21 index entries, not all of a
        # prolific writer's thousands.
        # (patient_id, prompt_ref): whether the prompts showing now were answered, however long the journal.
        # (patient_id, shared, deleted_at, shared_at): the chart's, infusion page's and dashboard's shared entries,
        # newest shared first, found and ordered in the index alone.
        indexes = (
            ("patient_id", "created_at"),
            ("patient_id", "shared"),
            ("patient_id", "id"),
            ("patient_id", "prompt_ref"),
            ("patient_id", "shared", "deleted_at", "shared_at"),
            ("conflict_of_id", "conflict_sitting"),  # an entry's conflict copies, on its page and every autosave
        )


class JournalRevision(Scales):
    """One version of an entry: what it held at the end of one sitting (journal/versions.py). Saves from the same
    editor page within SITTING_GAP of each other update their sitting's version; anything else appends a new one.
    A version is never rewritten once its sitting is over, and restoring one appends a new version."""

    id = fields.IntField(primary_key=True)
    entry: fields.ForeignKeyRelation[JournalEntry] = fields.ForeignKeyField(
        "models.JournalEntry", related_name="revisions", on_delete=fields.RESTRICT
    )
    entry_id: int
    version = fields.IntField()  # the entry's version at its last save (a sitting's merged saves skip numbers)
    title = fields.CharField(max_length=200, default="")
    body = fields.TextField(default="")
    answers: fields.Field[dict] = fields.JSONField(default=dict)
    # The editor page load that wrote this version ("" for one that never merges: a restore, an old row).
    sitting = fields.CharField(max_length=64, default="", db_default="")
    restored_from = fields.IntField(null=True)  # the version number this one brought back, if it is a restore
    saved_at = fields.DatetimeField()

    class Meta:
        table = "journal_revision"
        unique_together = (("entry", "version"),)


class Prompt(Model):
    """A practice prompt assigned by the care team (schedule prompts after infusions are computed, not stored)."""

    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    patient: fields.ForeignKeyRelation[Patient] = fields.ForeignKeyField(
        "models.Patient", related_name="prompts", on_delete=fields.RESTRICT
    )
    patient_id: int
    infusion: fields.ForeignKeyNullableRelation[Infusion] = fields.ForeignKeyField(
        "models.Infusion", related_name="prompts", null=True, on_delete=fields.SET_NULL
    )
    infusion_id: int | None
    due_at = fields.DatetimeField()
    text = fields.CharField(max_length=500)
    source = fields.CharField(max_length=16, default="practice")  # schedule | practice
    answered_entry: fields.ForeignKeyNullableRelation[JournalEntry] = fields.ForeignKeyField(
        "models.JournalEntry", related_name="answered_prompts", null=True, on_delete=fields.SET_NULL
    )
    answered_entry_id: int | None
    created_at = fields.DatetimeField()
    created_by_id = fields.IntField(null=True)

    class Meta:
        table = "prompt"
        indexes = (("patient_id", "due_at"),)


class PracticeDone(Model):
    """A practice ticked "done today": one row per practice per day in the clinic's time zone (a tally, no streak)."""

    id = fields.IntField(primary_key=True)
    clinic_id = fields.IntField(db_index=True)
    patient_id = fields.IntField()
    prompt: fields.ForeignKeyRelation[Prompt] = fields.ForeignKeyField(
        "models.Prompt", related_name="done", on_delete=fields.CASCADE
    )
    prompt_id: int
    day = fields.DateField()
    done_at = fields.DatetimeField()

    class Meta:
        table = "practice_done"
        unique_together = (("prompt", "day"),)


class JournalPreference(Model):
    id = fields.IntField(primary_key=True)
    patient: fields.OneToOneRelation[Patient] = fields.OneToOneField(
        "models.Patient", related_name="journal_preference", on_delete=fields.CASCADE
    )
    patient_id: int
    share_by_default = fields.BooleanField(default=False)

    class Meta:
        table = "journal_preference"
