"""Telegram: the bot and the transport that delivers alerts."""
