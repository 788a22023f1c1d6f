from django.db import migrations


def load_banks(apps, schema_editor):
    from payments import reference_data

    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(load_banks, migrations.RunPython.noop)]
