from django.db import migrations


def seed(apps, schema_editor):
    from apps.accounts.seed_data import INTERESTS, UNIVERSITIES

    University = apps.get_model("accounts", "University")
    UniversityDomain = apps.get_model("accounts", "UniversityDomain")
    Interest = apps.get_model("accounts", "Interest")
    for name_ko, name_en, region, domains in UNIVERSITIES:
        university, _ = University.objects.get_or_create(name_ko=name_ko, defaults={"name_en": name_en, "region": region})
        for domain in domains:
            UniversityDomain.objects.get_or_create(domain=domain, defaults={"university": university})
    for slug, name_ko, name_en in INTERESTS:
        Interest.objects.get_or_create(slug=slug, defaults={"name_ko": name_ko, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
