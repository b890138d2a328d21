"""Large updates of customer_facts' parts rewrite whole rows a slice of customers at a time
(store/derived/customer_facts.py ``update_part``): made to happen at every step of the random
loads of tests/test_derived.py, each step checked against a rebuild."""

from __future__ import annotations

import pytest
from test_derived import SEEDS, _build

from store.derived import customer_facts


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_customer_facts_rewritten_in_slices_equal_a_rebuild(tmp_path, monkeypatch, seed):
    monkeypatch.setattr(customer_facts, "REWRITE_OVER", 0)
    monkeypatch.setattr(customer_facts, "SLICE", 2)
    _build(tmp_path, seed).close()
