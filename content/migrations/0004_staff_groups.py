"""Formerly made the content groups. The staff groups are now made in one place, by the accounts app
(accounts/groups.py, after every migrate); this step stays so existing databases keep their history."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0003_drafts_and_review"),
        ("conditions", "0002_drafts_and_review"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = []
