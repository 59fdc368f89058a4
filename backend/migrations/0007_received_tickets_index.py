"""Counting a recipient's tickets by status reads one index: (recipient, status, created_at)."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0006_pending_approvals_index")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="Ticket",
            index=Index(fields=["recipient_structure_id", "status", "created_at"]),
        ),
    ]
