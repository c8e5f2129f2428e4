"""Trigram indexes for the dispute list's text search (PostgreSQL only; see mediation/db.py).

The search (disputes.services.search) ORs one condition per column, so PostgreSQL combines one bitmap scan of
each index below (a BitmapOr) instead of reading every dispute.
"""

from django.db import migrations

from mediation.db import trigram_index


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("disputes", "0007_list_indexes"),
        ("mediation", "0008_trigram_search"),
    ]

    operations = [
        trigram_index("disputes_dispute", "number", "dispute_number_trgm"),
        trigram_index("disputes_dispute", "title", "dispute_title_trgm"),
        trigram_index("disputes_dispute", "address", "dispute_address_trgm"),
        trigram_index("disputes_dispute", "description", "dispute_description_trgm"),
        trigram_index("disputes_party", "name", "party_name_trgm"),
    ]
