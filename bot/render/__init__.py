"""Wording and layout: numbers, dates and places in English and Arabic, alert and reply text, message safety, UI strings, charts."""
