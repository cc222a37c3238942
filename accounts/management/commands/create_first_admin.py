"""Create the first administrator on a site that has no users yet, and print its password once."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "On a database with no users, create the administrator 'admin' with a random password."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username="admin", **options):
        User = get_user_model()
        if User.objects.exists():
            return
        password = secrets.token_urlsafe(18)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "An administrator account was created. It is shown only this once:",
                    f"  user name: {username}",
                    f"  password:  {password}",
                    "Sign in at /admin/. You will first set up two-factor sign-in with an authenticator app",
                    "and be shown ten backup codes once: print them or write them down and keep them safe.",
                    "Then change this password (top right: Change password).",
                    "",
                ]
            )
        )
