"""Seeds the built-in rules of issue 6 (apps/alerts/builtin.py)."""

from django.db import migrations

from apps.alerts.builtin import builtin_rules_install


def create_rules(apps, schema_editor):
    builtin_rules_install(rule_model=apps.get_model("alerts", "AlertRule"))


def delete_rules(apps, schema_editor):
    apps.get_model("alerts", "AlertRule").objects.filter(builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]
    operations = [migrations.RunPython(create_rules, delete_rules)]
