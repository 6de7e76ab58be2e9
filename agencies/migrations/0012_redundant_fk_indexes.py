"""Drop three single-column foreign-key indexes that a wider index already leads with (region:
agency_region_listing_idx; parent: agency_parent_name_idx; an other name's agency: agencyname_unique).

Only the indexes go: DROP INDEX on both databases (AlterField would rebuild the tables on SQLite,
their triggers with them, and re-validate the foreign keys on PostgreSQL)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0011_region_listing_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in [
                    ("agencies_agency_parent_id_2087cd0c", "agencies_agency", "parent_id"),
                    ("agencies_agency_region_id_71622f4c", "agencies_agency", "region_id"),
                    ("agencies_agencyname_agency_id_481a480c", "agencies_agencyname", "agency_id"),
                ]
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='agency',
                    name='parent',
                    field=models.ForeignKey(blank=True, db_index=False, help_text='Supervising higher-level agency, only where a page says so (record where in the next field).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='agencies.agency'),
                ),
                migrations.AlterField(
                    model_name='agency',
                    name='region',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='agencies', to='agencies.region'),
                ),
                migrations.AlterField(
                    model_name='agencyname',
                    name='agency',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='other_names', to='agencies.agency'),
                ),
            ],
        ),
    ]
