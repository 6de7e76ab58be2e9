"""A duty may carry several categories: Duty.category (one) becomes Duty.categories (many), keeping
every duty's current category."""

import django.db.models.deletion
from django.db import migrations, models


def copy_category_to_categories(apps, schema_editor):
    Duty = apps.get_model("duties", "Duty")
    Link = Duty.categories.through
    rows = Duty.objects.values_list("pk", "category_id").iterator(chunk_size=5000)
    batch = []
    for duty_id, category_id in rows:
        batch.append(Link(duty_id=duty_id, dutycategory_id=category_id))
        if len(batch) == 5000:
            Link.objects.bulk_create(batch)
            batch = []
    Link.objects.bulk_create(batch)


def copy_first_category_back(apps, schema_editor):
    Duty = apps.get_model("duties", "Duty")
    Link = Duty.categories.through
    fallback = apps.get_model("duties", "DutyCategory").objects.order_by("position", "slug").first()
    for duty in Duty.objects.all():
        link = Link.objects.filter(duty_id=duty.pk).order_by("dutycategory__position").first()
        category_id = link.dutycategory_id if link else getattr(fallback, "pk", None)
        Duty.objects.filter(pk=duty.pk).update(category_id=category_id)


class Migration(migrations.Migration):

    dependencies = [
        ('duties', '0002_historicaldutycategory'),
    ]

    operations = [
        # Nullable (and out of the way of the new `duties` accessor) before it goes, so that migrating
        # back can re-add it, fill it, then require it.
        migrations.AlterField(
            model_name='duty',
            name='category',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='duties.dutycategory'),
        ),
        migrations.AddField(
            model_name='duty',
            name='categories',
            field=models.ManyToManyField(blank=True, help_text='Every category the text plainly speaks of; none while nobody has categorised it yet.', related_name='duties', to='duties.dutycategory'),
        ),
        migrations.RunPython(copy_category_to_categories, copy_first_category_back),
        migrations.RemoveField(
            model_name='duty',
            name='category',
        ),
        migrations.RemoveField(
            model_name='historicalduty',
            name='category',
        ),
    ]
