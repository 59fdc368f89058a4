"""A page of members reads their habilitations on one structure from one index:
(user, structure, service)."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0007_received_tickets_index")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="Habilitation",
            index=Index(fields=["user_id", "structure_id", "service_id"]),
        ),
    ]
