"""An index on contributions for the reminder scan's "is there a later paid contribution?" test.

It lives here, with the scan that needs it, as raw SQL: a partial index matching that predicate exactly, so
PostgreSQL answers it from the index instead of reading every contribution of the registration.
"""

from django.db import migrations

INDEX = "receipts_later_coverage_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0002_reference_data"),
        ("receipts", "0002_reminder_log"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON contributions_contribution "
                "(registration_id, coverage_end) "
                "WHERE coverage_cancelled_at IS NULL AND status IN ('active', 'renewed', 'expired')"
            ),
            reverse_sql=f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
