"""Bundled sample data: a synthetic, seeded product recall (see sample_data/README.md)."""
