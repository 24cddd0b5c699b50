"""The command core: every chat command once, for every transport, and service health."""
