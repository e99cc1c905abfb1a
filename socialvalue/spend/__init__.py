"""Spend analysis: read council spend files, clean, quarantine, reconcile, then analyse.

Pure engine code (no Django): :mod:`~socialvalue.spend.read` → :mod:`~socialvalue.spend.columns`
→ :mod:`~socialvalue.spend.clean` → :mod:`~socialvalue.spend.ingest` →
:mod:`~socialvalue.spend.analyse`; :mod:`~socialvalue.spend.lm3` is the LM3 calculator.
"""
