"""The service: config, store, pipeline, scheduling, delivery, chat transports, CLI."""
