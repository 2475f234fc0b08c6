"""slotguard keeps sales teams' prospecting blocks in Microsoft 365 calendars."""

__version__ = "0.1.0"
