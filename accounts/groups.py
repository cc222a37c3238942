"""The staff groups, in one place: what each role may do.

Content editors write drafts; clinical reviewers also publish and mark documents reviewed; the front
desk works the inquiry queue and sees nothing else. Neither content group can see inquiries.

The groups are made (and given any permission they lack) after every `migrate`, and after the test
database is flushed, by `ensure_staff_groups`. Permissions an administrator added by hand are kept.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

_EDITING = [
    "content.add_page",
    "content.change_page",
    "content.view_page",
    "conditions.add_condition",
    "conditions.change_condition",
    "conditions.view_condition",
    "content.change_clinicprofile",
    "content.view_clinicprofile",
]

STAFF_GROUPS = {
    "Content editors": _EDITING,
    "Clinical reviewers": [
        *_EDITING,
        "content.publish_page",
        "content.review_page",
        "conditions.publish_condition",
        "conditions.review_condition",
        "content.publish_clinicprofile",
    ],
    "Front desk": ["inquiries.view_inquiry", "inquiries.change_inquiry", "inquiries.export_inquiry"],
}


def ensure_staff_groups(sender, app_config=None, apps=None, using="default", **kwargs):
    """post_migrate: once the last app has migrated, make sure every group has its permissions."""
    migrated = [config for config in global_apps.get_app_configs() if config.models_module is not None]
    if apps is None or app_config is None or app_config is not migrated[-1]:
        return
    for config in migrated:  # each app's permissions are made by its own signal; make sure all exist
        create_permissions(config, verbosity=0, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in STAFF_GROUPS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        for permission in permissions:
            app_label, codename = permission.split(".")
            group.permissions.add(
                Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename)
            )
