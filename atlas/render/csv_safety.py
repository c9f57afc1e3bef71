"""Spreadsheet formula injection: CSV cells that a spreadsheet would run as a formula are made plain text.

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(…)``, ``=WEBSERVICE(…)``, DDE), also after a leading tab or carriage return. OWASP's advice is
followed: such a text cell gets a leading apostrophe, which spreadsheets show as text. Numbers stay numbers.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_csv_cell(value: str | int | float | None) -> str | int | float:
    """The value to write into a CSV cell: formula-like text is prefixed with ``'``; numbers pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text
