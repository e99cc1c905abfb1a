"""Social Value Toolkit: social value procurement and community wealth building."""

__version__ = "0.1.0"
