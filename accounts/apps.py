from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """How staff sign in and what they may do: two-factor policy, sessions, lockout glue, staff groups."""

    name = "accounts"
    verbose_name = "Staff accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from accounts import groups, staff

        user_logged_in.connect(staff.stamp_sign_in, dispatch_uid="accounts.stamp_sign_in")
        post_migrate.connect(groups.ensure_staff_groups, dispatch_uid="accounts.ensure_staff_groups")
