"""Every contact's e-mail and phone into the address lookup table (contacts.ContactHandle).

Before this, a contact had one e-mail and one phone, stored normalised beside what was typed
(`email_normalized`, `phone_normalized`): one INSERT … SELECT per kind copies them, deleted
contacts included (a restored contact is found again), on SQLite and PostgreSQL alike.
"""

from django.db import migrations

KINDS = (("email", "email_normalized"), ("phone", "phone_normalized"))


def forward(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")
    ContactHandle = apps.get_model("contacts", "ContactHandle")
    q = schema_editor.connection.ops.quote_name
    handles, contacts = q(ContactHandle._meta.db_table), q(Contact._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        for kind, column in KINDS:
            cursor.execute(
                f"INSERT INTO {handles} ({q('contact_id')}, {q('kind')}, {q('normalized')}) "
                f"SELECT {q('id')}, %s, {q(column)} FROM {contacts} WHERE {q(column)} <> ''",
                [kind],
            )


def backward(apps, schema_editor):
    apps.get_model("contacts", "ContactHandle").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0008_contact_addresses_and_birthday")]

    operations = [migrations.RunPython(forward, backward)]
