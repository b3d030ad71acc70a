"""Visibility matrix cases for the contact import pages (issue 16). Everyone signed in may
import; an upload is its user's alone (anyone else, the admin too, gets 404: it is a file on its
way in, not a record); a batch is its user's and the admin's, who sees and undoes any. ben owns
the upload and the batch under test.

ben's upload names ana's contact Nora by her e-mail address under another name ("Nora
Fileonly"): the import matches only contacts ben may see, so under a policy that hides her it
would make a new contact, and under one that shows her it updates or skips her — either way the
preview shows the file's name, never hers from Huddle (the matrix's leak check).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from crm.models import User
from imports import services
from imports.models import ImportBatch, ImportUpload
from tests.matrix import EVERYONE_200, LOGGED_IN, METHOD_NOT_ALLOWED, Case, statuses

BEN = frozenset({"ben"})
BEN_AND_ADMIN = frozenset({"ben", "admin"})
ALL_302 = statuses(ben=302, outsiders=302, editors=302)
BEN_200 = {"ben": 200, "carla": 404, "sam": 404, "maria": 404, "admin": 404}
BEN_302 = {"ben": 302, "carla": 404, "sam": 404, "maria": 404, "admin": 404}
BEN_ADMIN_200 = BEN_200 | {"admin": 200}
BEN_ADMIN_302 = BEN_302 | {"admin": 302}

UPLOAD = b"First name,Last name,E-mail\r\nNora,Fileonly,nora@nordwind.example\r\n"
UPLOAD_NAME = "ben-upload.csv"
IMPORTED = b"First name,Last name\r\nImported,Matrixperson\r\n"
IMPORTED_NAME = "ben-import.csv"
POSTED_NAME = "posted-by-the-matrix.csv"


def _ben() -> User:
    return User.objects.get(username="ben")


def _ben_s_imports(records) -> None:
    """ben's upload on its way in, and a batch of his that created one contact."""
    records["upload"] = ImportUpload.objects.create(
        user=_ben(), filename=UPLOAD_NAME, data=UPLOAD, on_match="update"
    )
    records["batch"] = services.import_contacts(
        user=_ben(), data=IMPORTED, filename=IMPORTED_NAME
    ).batch


def _upload(records) -> dict:
    return {"pk": records["upload"].pk}


def _batch(records) -> dict:
    return {"pk": records["batch"].pk}


def _posted_file(records, user) -> dict:
    return {
        "file": SimpleUploadedFile(POSTED_NAME, IMPORTED, content_type="text/csv"),
        "on_match": "update",
    }


def _mapping(records, user) -> dict:
    return {
        "column_0": "first_name",
        "column_1": "last_name",
        "column_2": "email",
        "on_match": "skip",
    }


CASES: list[Case] = [
    Case(
        "imports:contacts",
        {"GET": EVERYONE_200, "POST": ALL_302},
        setup=_ben_s_imports,
        data=_posted_file,
        changed=lambda r: ImportUpload.objects.filter(filename=POSTED_NAME).exists(),
        changers=LOGGED_IN,
        shows=IMPORTED_NAME,  # in the history: ben's own, and the admin's (everyone's)
        shown_to=BEN_AND_ADMIN,
    ),
    Case(
        "imports:mapping",
        {"GET": BEN_200, "POST": BEN_302},
        kwargs=_upload,
        setup=_ben_s_imports,
        data=_mapping,
        changed=lambda r: ImportUpload.objects.filter(
            pk=r["upload"].pk, mapping__isnull=False, on_match="skip"
        ).exists(),
        changers=BEN,
        shows="Fileonly",  # a sample value of the file
        shown_to=BEN,
    ),
    Case(
        "imports:preview",
        {"GET": BEN_200, "POST": METHOD_NOT_ALLOWED},
        kwargs=_upload,
        setup=_ben_s_imports,
        shows="Nora Fileonly",
        shown_to=BEN,
    ),
    Case(
        "imports:confirm",
        {"GET": METHOD_NOT_ALLOWED, "POST": BEN_302},
        kwargs=_upload,
        setup=_ben_s_imports,
        changed=lambda r: (
            ImportBatch.objects.filter(filename=UPLOAD_NAME).exists()
            and not ImportUpload.objects.filter(pk=r["upload"].pk).exists()
        ),
        changers=BEN,
    ),
    Case(
        "imports:batch",
        {"GET": BEN_ADMIN_200, "POST": METHOD_NOT_ALLOWED},
        kwargs=_batch,
        setup=_ben_s_imports,
        shows=IMPORTED_NAME,
        shown_to=BEN_AND_ADMIN,
    ),
    Case(
        "imports:undo",
        {"GET": METHOD_NOT_ALLOWED, "POST": BEN_ADMIN_302},
        kwargs=_batch,
        setup=_ben_s_imports,
        changed=lambda r: ImportBatch.objects.filter(
            pk=r["batch"].pk, undone_at__isnull=False
        ).exists(),
        changers=BEN_AND_ADMIN,
    ),
]
