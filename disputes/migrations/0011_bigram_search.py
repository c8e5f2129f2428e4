"""Bigram indexes for two-character searches of the dispute list (PostgreSQL only; see mediation/db.py)."""

from django.db import migrations

from mediation.db import bigram_index, enable_bigrams

# The search (disputes.services.search) writes the same expression: these columns, in this order.
DISPUTE_TEXT = ["number", "title", "address", "description"]


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("disputes", "0010_dispute_export_job")]

    operations = [
        enable_bigrams(),
        bigram_index("disputes_dispute", DISPUTE_TEXT, "dispute_text_bigram"),
        bigram_index("disputes_party", ["name"], "party_name_bigram"),
    ]
