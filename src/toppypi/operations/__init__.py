"""One library call per command, taking typed options: the CLI only parses and prints."""
