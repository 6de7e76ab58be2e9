"""Create the four staff groups (Administrators, Editors, Agency editors, Viewers)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True  # migration state apps have none; create_permissions needs one
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    from agencies.permissions import groups_sync

    groups_sync(apps=apps)


def remove_groups(apps, schema_editor):
    from agencies.permissions import ADMINISTRATORS, AGENCY_EDITORS, EDITORS, VIEWERS

    apps.get_model("auth", "Group").objects.filter(
        name__in=[ADMINISTRATORS, EDITORS, AGENCY_EDITORS, VIEWERS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_staff_assignments_import_batches"),
        ("duties", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
