from django.db import migrations


def load_reference_data(apps, schema_editor):
    from contributions import reference_data

    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_initial")]

    operations = [migrations.RunPython(load_reference_data, migrations.RunPython.noop)]
