from django.db import migrations, models


def first_version(apps, schema_editor):
    apps.get_model("search", "IndexVersion").objects.using(schema_editor.connection.alias).create(
        id=1, number=1, salt=0
    )


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='IndexVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.BigIntegerField(default=1)),
                ('salt', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'search index version',
            },
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
    ]
