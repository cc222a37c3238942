from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    """How staff sign in and what they may do: two-factor policy, sessions, lockout glue, staff groups."""

    name = "accounts"
    verbose_name = "Staff accounts"
    default = True

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate, pre_save

        from accounts import groups, lockout, sensitive_admin, staff

        user_logged_in.connect(staff.stamp_sign_in, dispatch_uid="accounts.stamp_sign_in")
        post_migrate.connect(groups.ensure_staff_groups, dispatch_uid="accounts.ensure_staff_groups")
        pre_save.connect(
            lockout.forget_form_data, sender="axes.AccessAttempt", dispatch_uid="accounts.forget_form_data"
        )
        sensitive_admin.harden()


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the two-factor admin site (in INSTALLED_APPS instead of django.contrib.admin)."""

    default = False
    default_site = "accounts.admin_site.StaffAdminSite"
