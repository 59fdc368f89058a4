"""The count of approvals to decide reads one index: (structure, state, requester)."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0005_grants_version")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="Approval",
            index=Index(fields=["structure_id", "state", "requester_id"]),
        ),
    ]
