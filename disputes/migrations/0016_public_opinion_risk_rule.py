"""Every risk flag the intake collects drives a rule: the public-opinion flag had none (task 23)."""

from django.db import migrations

NAME = "存在舆情炒作风险"


def add_rule(apps, schema_editor):
    RiskRule = apps.get_model("disputes", "RiskRule")
    # Only where the office's rule table was loaded (a new database gets it from load_dispute_defaults), and
    # only if the office has not already made a rule of its own for the flag.
    if RiskRule.objects.exists() and not RiskRule.objects.filter(flag="public_opinion").exists():
        RiskRule.objects.create(name=NAME, grade=2, flag="public_opinion")


def remove_rule(apps, schema_editor):
    apps.get_model("disputes", "RiskRule").objects.filter(name=NAME, flag="public_opinion").delete()


class Migration(migrations.Migration):
    dependencies = [("disputes", "0015_stabilization")]

    operations = [migrations.RunPython(add_rule, remove_rule)]
