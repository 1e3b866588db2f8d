"""The `bantin` command line."""
