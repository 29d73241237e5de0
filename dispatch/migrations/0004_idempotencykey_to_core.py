# The idempotency keys moved to core (core 0001 took over the model and its table,
# dispatch_idempotencykey): dispatch forgets the model, the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("dispatch", "0003_checkinreminder"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
    ]
