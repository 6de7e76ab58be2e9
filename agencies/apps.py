from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies"

    def ready(self) -> None:
        from agencies import tallies
        from agencies.opening import install_triggers
        from agencies.permissions import sync_groups_after_migrate

        # Not limited to this app as sender: it must run after the permissions of every app exist.
        post_migrate.connect(sync_groups_after_migrate, dispatch_uid="agencies_sync_groups")
        # The triggers that keep each agency's `weekly_hours` (agencies/opening.py).
        post_migrate.connect(install_triggers, dispatch_uid="agencies_weekly_hours_triggers")
        # The triggers that keep the published agencies per city (agencies/tallies.py).
        post_migrate.connect(tallies.install_triggers, dispatch_uid="agencies_tally_triggers")
