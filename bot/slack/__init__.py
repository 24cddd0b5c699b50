"""Slack: the slash command, Block Kit rendering, request signing, the transport."""
