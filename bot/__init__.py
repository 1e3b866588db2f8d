"""The Telegram side: application wiring, handlers, the sender, the CLI and the sandbox."""
