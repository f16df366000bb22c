from django.db import migrations


def seed(apps, schema_editor):
    from apps.accounts.seed_data import load_reference_data

    load_reference_data(
        university_model=apps.get_model("accounts", "University"),
        domain_model=apps.get_model("accounts", "UniversityDomain"),
        interest_model=apps.get_model("accounts", "Interest"),
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
