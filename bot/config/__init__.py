"""Configuration: the TOML read into typed objects, admin edits over it, logging set-up."""
