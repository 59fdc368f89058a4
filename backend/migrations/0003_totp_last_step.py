"""Two-factor logins remember the time step of the code they used (a code serves once)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0002_ticket_search")]

    initial = False

    operations = [
        ops.AddField(
            model_name="User",
            name="totp_last_step",
            field=fields.BigIntField(null=True),
        ),
    ]
