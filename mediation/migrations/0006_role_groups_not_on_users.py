"""Role permissions now reach users through their current memberships (mediation.backends.MembershipBackend),
each only inside that membership's scope. Membership in a role group would grant the role everywhere, so users
are taken out of the role groups; the groups keep the roles' permissions."""

from django.db import migrations

ROLE_GROUPS = ["网格员", "调解员", "坐席", "部门联络员", "领导", "大调解办", "审计员", "接口客户端"]


def leave_role_groups(apps, schema_editor):
    User = apps.get_model("auth", "User")
    User.groups.through.objects.filter(group__name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("mediation", "0005_taskrun"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(leave_role_groups, migrations.RunPython.noop)]
