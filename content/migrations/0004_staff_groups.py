"""The content groups: editors write drafts; clinical reviewers also publish and mark pages reviewed.

Neither group can see inquiries: that is the Front desk group's (inquiries app).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITING = [
    ("content", "add_page"),
    ("content", "change_page"),
    ("content", "view_page"),
    ("conditions", "add_condition"),
    ("conditions", "change_condition"),
    ("conditions", "view_condition"),
    ("content", "change_clinicprofile"),
    ("content", "view_clinicprofile"),
]
GROUPS = {
    "Content editors": EDITING,
    "Clinical reviewers": [
        *EDITING,
        ("content", "publish_page"),
        ("content", "review_page"),
        ("conditions", "publish_condition"),
        ("conditions", "review_condition"),
    ],
}


def make_groups(apps, schema_editor):
    # Permissions are normally made after all migrations run; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0003_drafts_and_review"),
        ("conditions", "0002_drafts_and_review"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(make_groups, remove_groups)]
