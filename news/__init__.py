"""bantin's domain core: pure functions and data, no network, no database, no Telegram."""

__version__ = "0.1.0"
