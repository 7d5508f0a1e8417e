"""A Telegram assistant that answers attendees' questions from the organisers' knowledge folder."""

__version__ = "0.1.0"
