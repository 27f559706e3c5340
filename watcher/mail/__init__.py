"""Raw message bytes to a ``Message``: MIME parts, headers, charsets and automatic-mail signals.

Pure: no I/O, no clock. ``messages.parse_message`` is the entry point.
"""
