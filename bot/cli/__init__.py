"""The `raqib` command line and its progress output."""
