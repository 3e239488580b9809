"""Spinal-condition pages for clinic sites built on Wagtail."""

__version__ = "0.1.0"
