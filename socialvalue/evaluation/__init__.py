"""Tender evaluation engine: price, quality and social value scored transparently.

Pure Python (no Django): build or load a :class:`~socialvalue.evaluation.model.Tender`, call
:func:`~socialvalue.evaluation.scoring.evaluate`, and read every component of every total from the
:class:`~socialvalue.evaluation.results.Evaluation`;
:func:`~socialvalue.evaluation.sensitivity.analyse` shows how fragile the ranking is.
"""
