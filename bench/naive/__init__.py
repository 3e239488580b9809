"""The same content as a plain Wagtail page, written as a Wagtail developer would by hand."""
