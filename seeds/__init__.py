"""The seed articles (`*.txt`, with their `index.toml`), shipped as package
data: the embedded default configuration reads them from wherever the package
is installed (`bot.config.schema.SEEDS_DIR`)."""
