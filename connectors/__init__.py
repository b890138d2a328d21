"""Connectors: read the exports teams already have into canonical frames.

``CONNECTORS`` is the one explicit list; the contract every module follows is in
connectors/base.py. Load files with :func:`connectors.load.ingest_paths` or
``python -m connectors ingest``.
"""

import os

# polars allocates through its own jemalloc, which by default keeps freed pages for seconds: a
# load in parts would hold several parts' worth. Give them back at once. jemalloc reads this when
# polars is first imported, so it comes before any import that brings polars in.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")

from connectors import (  # noqa: E402
    amazon_connect,
    canonical_csv,
    freshdesk_csv,
    freshdesk_json,
    genesys_cloud,
    genesys_csv,
    mailchimp_activity,
    mapped,
    recall_toml,
    registry,
    salesforce_dataloader,
    salesforce_report,
    sendgrid_events,
    twilio_messaging_csv,
    twilio_messaging_json,
    twilio_voice_csv,
    twilio_voice_json,
    whatsapp_cloud,
    zendesk_csv,
    zendesk_incremental,
    zendesk_json,
    zendesk_satisfaction,
)

CONNECTORS = [
    recall_toml,
    canonical_csv,
    registry,
    amazon_connect,
    genesys_cloud,
    genesys_csv,
    twilio_voice_json,
    twilio_voice_csv,
    twilio_messaging_json,
    twilio_messaging_csv,
    whatsapp_cloud,
    sendgrid_events,
    mailchimp_activity,
    zendesk_csv,
    zendesk_json,
    zendesk_incremental,
    zendesk_satisfaction,
    freshdesk_csv,
    freshdesk_json,
    salesforce_report,
    salesforce_dataloader,
    mapped,  # never detected: chosen with a saved column mapping (--mapping NAME)
]
