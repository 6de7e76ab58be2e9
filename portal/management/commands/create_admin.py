"""The first staff account, with the password rules applied also when there is no terminal.

Django's `createsuperuser` says "skipped" and exits 0 without a terminal, and with `--noinput` it
stores any password it is given. This one asks on a terminal (as createsuperuser does); without one
it reads DJANGO_SUPERUSER_USERNAME, DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD, checks
the password against AUTH_PASSWORD_VALIDATORS, and refuses with exit code 2 otherwise."""
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

VARIABLES = ("DJANGO_SUPERUSER_USERNAME", "DJANGO_SUPERUSER_EMAIL", "DJANGO_SUPERUSER_PASSWORD")


class Command(createsuperuser.Command):
    help = "Create the first administrator: asks on a terminal, else reads DJANGO_SUPERUSER_* (validated)."

    def handle(self, *args, **options):
        interactive = options.get("interactive", True) and hasattr(sys.stdin, "isatty") and sys.stdin.isatty()
        if interactive:
            return super().handle(*args, **options)
        missing = [name for name in VARIABLES if not os.environ.get(name)]
        if missing:
            raise CommandError(
                f"No terminal to ask on: set {', '.join(missing)} (the password needs 10+ characters, not common, "
                "not all digits).", returncode=2,
            )
        username, email, password = (os.environ[name] for name in VARIABLES)
        User = get_user_model()
        if User._default_manager.filter(username=username).exists():
            raise CommandError(f"User '{username}' exists already.", returncode=2)
        try:
            validate_password(password, user=User(username=username, email=email))
        except ValidationError as error:
            raise CommandError(f"Password refused: {' '.join(error.messages)}", returncode=2) from None
        User._default_manager.create_superuser(username=username, email=email, password=password)
        self.stdout.write(f"Created administrator '{username}'.")
