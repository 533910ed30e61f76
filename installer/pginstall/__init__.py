"""pginstall: render and apply the `part` partitioning extension."""

__version__ = "0.2.0"
