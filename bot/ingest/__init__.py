"""From a source to changes: poll, extract, diff, and who hears of each change."""
