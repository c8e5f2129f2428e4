"""Trigram indexes for the registry lists' text search (PostgreSQL only; see mediation/db.py)."""

from django.db import migrations

from mediation.db import enable_trigram, trigram_index


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("mediation", "0007_list_indexes")]

    operations = [
        enable_trigram(),
        trigram_index("mediation_mediationorganization", "name", "organization_name_trgm"),
        trigram_index("mediation_mediationorganization", "address", "organization_address_trgm"),
        trigram_index("mediation_mediationorganization", "contact_person", "organization_contact_trgm"),
        trigram_index("mediation_mediator", "name", "mediator_name_trgm"),
        trigram_index("mediation_training", "title", "training_title_trgm"),
        trigram_index("mediation_expertmembership", "expertise", "expert_expertise_trgm"),
    ]
