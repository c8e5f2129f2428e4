# The organization <-> category many-to-many moves from MediationOrganization.categories (mediation 0002, which
# therefore depended on this app) to Category.organizations, keeping its table and columns. A database that
# ran the old mediation 0002 already has the table and its rows; a new database gets it here.

from django.db import migrations, models


class AddFieldUnlessTableExists(migrations.AddField):
    """AddField of a many-to-many whose table may already exist (created by the old mediation 0002).

    The state always gains the field; the table is created only where it is missing, so no row moves.
    Reversed, the table is dropped like any many-to-many's.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        field = to_state.apps.get_model(app_label, self.model_name)._meta.get_field(self.name)
        table = field.remote_field.through._meta.db_table
        if table in schema_editor.connection.introspection.table_names():
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0005_agreement_history'),
        ('mediation', '0002_registry'),
    ]

    operations = [
        AddFieldUnlessTableExists(
            model_name='category',
            name='organizations',
            field=models.ManyToManyField(blank=True, db_table='mediation_mediationorganization_categories', related_name='categories', to='mediation.mediationorganization', verbose_name='mediation organizations'),
        ),
    ]
