"""Give the staff groups their ingest permissions (Editors and Agency editors ingest and review)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure ingest's exist now.
    app_config = apps.get_app_config("ingest")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True  # migration state apps have none; create_permissions needs one
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    from agencies.permissions import groups_sync

    groups_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0001_initial"),
        ("agencies", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
