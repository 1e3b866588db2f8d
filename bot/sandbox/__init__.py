"""`bantin sandbox`: the bot offline, against the Bot API stand-in, with a chat in the terminal."""
