"""In-memory adapters: a Microsoft 365 tenant in dicts behind the whole calendar port, for
service tests that run the production read path without a network."""

from slotguard.memory.calendar import InMemoryCalendarGateway, SentMail, StoredTask, moved

__all__ = ["InMemoryCalendarGateway", "SentMail", "StoredTask", "moved"]
