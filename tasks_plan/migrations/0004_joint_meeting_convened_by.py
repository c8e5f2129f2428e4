# Joint meetings get a scope: the unit that convened them. Meetings recorded before were the office's.

import django.db.models.deletion
import tasks_plan.models.meetings
from django.db import migrations, models


def convened_by_the_office(apps, schema_editor):
    JointMeeting = apps.get_model("tasks_plan", "JointMeeting")
    Unit = apps.get_model("mediation", "Unit")
    if not JointMeeting.objects.exists():
        return
    office = Unit.objects.filter(kind="office").order_by("pk").first()
    if office is None:
        raise RuntimeError("Joint meetings exist but no office unit does: load the reference data first.")
    JointMeeting.objects.filter(convened_by__isnull=True).update(convened_by=office)


class Migration(migrations.Migration):

    dependencies = [
        ('mediation', '0005_taskrun'),
        ('tasks_plan', '0003_review_queue_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='jointmeeting',
            name='convened_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='convened_meetings', to='mediation.unit', verbose_name='convened by'),
        ),
        migrations.RunPython(convened_by_the_office, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='jointmeeting',
            name='convened_by',
            field=models.ForeignKey(default=tasks_plan.models.meetings.the_office, help_text='The unit that called the meeting; the meeting is seen throughout its territory.', on_delete=django.db.models.deletion.PROTECT, related_name='convened_meetings', to='mediation.unit', verbose_name='convened by'),
        ),
    ]
