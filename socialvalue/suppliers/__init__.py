"""Supplier names: normalise, identify, match to company and charity registers, review.

A pure engine (no Django): the CLI in :mod:`socialvalue.commands.suppliers` and the web app's
services call these modules and store what they return.
"""
