"""Seeds the "queue-state-lost" built-in rule of issue 23 (apps/alerts/builtin.py)."""

from django.db import migrations

from apps.alerts.builtin import builtin_rules_install


def create_rules(apps, schema_editor):
    builtin_rules_install(rule_model=apps.get_model("alerts", "AlertRule"))


def delete_rule(apps, schema_editor):
    apps.get_model("alerts", "AlertRule").objects.filter(name="queue-state-lost", builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_builtin_rules")]
    operations = [migrations.RunPython(create_rules, delete_rule)]
