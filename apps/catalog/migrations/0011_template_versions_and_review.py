"""Versions and review of product templates. Every existing template becomes version 1, published, of its own
family (a fresh UUID per row: a callable default in AddField would give every existing row the same one)."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


def one_family_per_template(apps, schema_editor):
    ProductTemplate = apps.get_model("catalog", "ProductTemplate")
    for template_id in ProductTemplate.objects.values_list("pk", flat=True):
        ProductTemplate.objects.filter(pk=template_id).update(family=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0010_template_designer'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='producttemplate',
            name='family',
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(one_family_per_template, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='producttemplate',
            name='family',
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
        migrations.AddField(
            model_name='producttemplate',
            name='review_notes',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='producttemplate',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='producttemplate',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='producttemplate',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('changes_requested', 'Changes requested'), ('published', 'Published'), ('superseded', 'Superseded'), ('retired', 'Retired')], default='published', editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name='producttemplate',
            name='submission_note',
            field=models.TextField(blank=True, help_text='What the author changed, for the reviewer.'),
        ),
        migrations.AddField(
            model_name='producttemplate',
            name='submitted_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='producttemplate',
            name='submitted_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='producttemplate',
            name='version',
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AlterField(
            model_name='producttemplate',
            name='slug',
            field=models.SlugField(help_text="The product's address; the same for every version of the product.", max_length=80),
        ),
        migrations.AddConstraint(
            model_name='producttemplate',
            constraint=models.UniqueConstraint(fields=('family', 'version'), name='catalog_template_family_version_unique'),
        ),
        migrations.AddConstraint(
            model_name='producttemplate',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'published')), fields=('family',), name='catalog_template_one_published_per_family'),
        ),
        migrations.AddConstraint(
            model_name='producttemplate',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['draft', 'in_review', 'changes_requested'])), fields=('family',), name='catalog_template_one_open_version_per_family'),
        ),
        migrations.AddConstraint(
            model_name='producttemplate',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'published')), fields=('slug',), name='catalog_template_published_slug_unique'),
        ),
        migrations.AddConstraint(
            model_name='producttemplate',
            constraint=models.CheckConstraint(condition=models.Q(('version__gte', 1)), name='catalog_template_version_gte_1'),
        ),
    ]
