"""Cells that a spreadsheet shows as text, never runs as a formula.

A page title or a reviewer's name such as ``=HYPERLINK("https://…")`` is a formula to Excel,
LibreOffice and Google Sheets when it opens an exported file. Following OWASP's advice on CSV
injection, any text that begins with a character a spreadsheet reads as the start of a
formula gets a single quote in front of it, which spreadsheets show as text.
"""

#: What a spreadsheet may read as the start of a formula: OWASP's list.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a spreadsheet cell that cannot run: text starting like a formula gets a
    leading ``'``; numbers, dates and anything else are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
