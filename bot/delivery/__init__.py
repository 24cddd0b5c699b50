"""The outbox drained to every transport, send pacing, daily digests, the console transport."""
