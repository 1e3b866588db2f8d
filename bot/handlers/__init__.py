"""Telegram update handlers, grouped by concern; each module has register(application)."""
