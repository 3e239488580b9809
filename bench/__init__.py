"""Benchmarks for wagtail_spinecare: run with ``python bench/run.py`` (``make bench``)."""
