import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE search_document USING fts5("
    "names, places, duties, tokenize = 'unicode61 remove_diacritics 0')"
)
POSTGRES_INDEX = [
    "CREATE TABLE search_document (rowid bigint PRIMARY KEY, vector tsvector NOT NULL)",
    "CREATE INDEX search_document_vector_gin ON search_document USING gin (vector)",
]

SEED_SYNONYMS = [
    ("科技", "科学技术", "科技 is the standard short form of 科学技术 (science and technology)."),
    ("S&T", "science and technology", "Standard English abbreviation."),
    ("sci-tech", "science and technology", "Standard English short form."),
]


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = [SQLITE_INDEX] if vendor == "sqlite" else POSTGRES_INDEX if vendor == "postgresql" else []
    for statement in statements:
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS search_document")


def seed_synonyms(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    for term, equivalent, note in SEED_SYNONYMS:
        Synonym.objects.get_or_create(term=term, equivalent=equivalent, defaults={"note": note})


def index_existing_agencies(apps, schema_editor):
    # A new install has no agencies yet; an existing one gets its index built here.
    if apps.get_model("agencies", "Agency").objects.exists():
        from search.index import rebuild

        rebuild()


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("agencies", "0005_agency_listing_indexes"),
        ("duties", "0002_historicaldutycategory"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Synonym",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("term", models.CharField(help_text="Short or everyday form, e.g. 科技 or S&T.", max_length=100)),
                ("equivalent", models.CharField(
                    help_text="The form it stands for, e.g. 科学技术 or science and technology.", max_length=200)),
                ("note", models.CharField(blank=True, help_text="Why the two mean the same (for editors).",
                                          max_length=255)),
            ],
            options={
                "ordering": ["term", "equivalent"],
                "constraints": [models.UniqueConstraint(fields=("term", "equivalent"), name="synonym_unique_pair")],
            },
        ),
        migrations.CreateModel(
            name="HistoricalSynonym",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("term", models.CharField(help_text="Short or everyday form, e.g. 科技 or S&T.", max_length=100)),
                ("equivalent", models.CharField(
                    help_text="The form it stands for, e.g. 科学技术 or science and technology.", max_length=200)),
                ("note", models.CharField(blank=True, help_text="Why the two mean the same (for editors).",
                                          max_length=255)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                ("history_type", models.CharField(
                    choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1)),
                ("history_user", models.ForeignKey(
                    null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                    to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "historical synonym",
                "verbose_name_plural": "historical synonyms",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("agency", models.OneToOneField(
                    db_column="rowid", db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                    primary_key=True, related_name="search_document", serialize=False, to="agencies.agency")),
            ],
            options={"db_table": "search_document", "managed": False},
        ),
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(seed_synonyms, migrations.RunPython.noop),
        migrations.RunPython(index_existing_agencies, migrations.RunPython.noop),
    ]
