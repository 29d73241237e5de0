# The idempotency keys moved from dispatch to core: the model, not the table. The table
# (dispatch_idempotencykey, made by dispatch 0001/0002) is kept as it is; only the state moves,
# and dispatch 0004 then forgets the model. The content type (and so its permissions) follows.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="core", model="idempotencykey").exists():
        ContentType.objects.using(db).filter(app_label="dispatch", model="idempotencykey").update(
            app_label="core"
        )


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(
        app_label="dispatch", model="idempotencykey"
    ).exists():
        ContentType.objects.using(db).filter(app_label="core", model="idempotencykey").update(
            app_label="dispatch"
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("dispatch", "0003_checkinreminder"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=200)),
                        ("fingerprint", models.CharField(max_length=64)),
                        ("status", models.PositiveSmallIntegerField(null=True)),
                        ("body", models.JSONField(null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "dispatch_idempotencykey",
                        "constraints": [
                            models.UniqueConstraint(fields=("user", "key"), name="idempotency_key_unique")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back, elidable=True),
    ]
