"""Product pictures become files in the default storage, with their width and height.

A row's old address is kept as ``external_url`` (so staff know which picture to upload);
such a row is not shown to shoppers until it has a file. A row that never had an
address has no picture at all and is removed, so every row left has one or the other.
"""

import django.core.validators
from django.db import migrations, models

import catalog.images.uploads


def rows_without_picture_delete(apps, schema_editor):
    ProductImage = apps.get_model("catalog", "ProductImage")
    ProductImage.objects.filter(external_url="").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_search_indexes"),
    ]

    operations = [
        migrations.RenameField(model_name="productimage", old_name="url", new_name="external_url"),
        migrations.AlterField(
            model_name="productimage",
            name="external_url",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="productimage",
            name="width",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="productimage",
            name="height",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="productimage",
            name="image",
            field=models.ImageField(
                blank=True,
                height_field="height",
                max_length=255,
                upload_to=catalog.images.uploads.picture_upload_to,
                validators=[
                    django.core.validators.FileExtensionValidator(["jpg", "jpeg", "png", "webp"])
                ],
                width_field="width",
            ),
        ),
        migrations.RunPython(rows_without_picture_delete, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="productimage",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("image", ""), _negated=True),
                    models.Q(("external_url", ""), _negated=True),
                    _connector="OR",
                ),
                name="product_image_has_picture",
            ),
        ),
        migrations.AddConstraint(
            model_name="productimage",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("image", ""),
                    models.Q(
                        ("height__gt", 0),
                        ("height__isnull", False),
                        ("width__gt", 0),
                        ("width__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="product_image_file_has_size",
            ),
        ),
    ]
