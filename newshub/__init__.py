"""newshub: a static site generator for institutions that publish partnership news."""

__version__ = "0.1.0"
