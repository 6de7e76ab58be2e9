"""Drop the duty's single-column agency index: the (agency, position) index leads with it. Only the
index goes (AlterField would rebuild the 1.5-million-row table on SQLite, its triggers with it)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0012_redundant_fk_indexes'),
        ('duties', '0003_duty_categories'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "duties_duty_agency_id_71d5fa4a"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "duties_duty_agency_id_71d5fa4a" ON "duties_duty" ("agency_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='duty',
                    name='agency',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='duties', to='agencies.agency'),
                ),
            ],
        ),
    ]
