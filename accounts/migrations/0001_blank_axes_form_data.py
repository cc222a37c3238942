"""Blank the form data django-axes kept of failed sign-ins: it could hold passwords in plain text.

Before accounts.lockout, the two-step login's `auth-password` field was stored unmasked.
"""

from django.db import migrations

FORM_DATA_FIELDS = {"get_data", "post_data"}


def blank_form_data(apps, schema_editor):
    for model_name in ("AccessAttempt", "AccessFailureLog"):
        try:
            model = apps.get_model("axes", model_name)
        except LookupError:
            continue
        fields = FORM_DATA_FIELDS & {field.name for field in model._meta.get_fields()}
        if fields:
            model.objects.update(**dict.fromkeys(fields, ""))


class Migration(migrations.Migration):
    dependencies = [("axes", "0010_accessattemptexpiration")]

    operations = [migrations.RunPython(blank_form_data, migrations.RunPython.noop)]
