from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FreshnessConfig(AppConfig):
    name = "freshness"
    verbose_name = "Freshness (content version and response cache)"

    def ready(self) -> None:
        from freshness.triggers import install_triggers

        # After every migrate (tests included): tables added by any app later are covered too.
        post_migrate.connect(install_triggers, dispatch_uid="freshness_install_triggers")
