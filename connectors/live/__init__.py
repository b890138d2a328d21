"""Live data: vendor webhooks received by the dashboard's server, vendor APIs and SQL databases
pulled by ``python -m connectors pull``. Every record goes through the same connector module that
reads the vendor's export (connectors/), and through store/write.py's one-transaction load, so
the nothing-lost and nothing-twice rules of files hold here too. See docs/live-sources.md.

- signatures.py — the vendors' webhook signatures (SendGrid ECDSA, WhatsApp and Twilio HMACs);
- spool.py, hook_records.py, hook_loader.py — webhook bodies written durably to disk before the
  reply, then loaded in micro-batches;
- http.py, pull.py, config.py and one module per pulled source (zendesk, twilio, genesys,
  freshdesk, sql) — the scheduled readers, their cursors kept in the store (store/live.py).
"""
