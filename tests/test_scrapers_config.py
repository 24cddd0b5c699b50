"""config.example.toml loads, and every source in it builds."""

from __future__ import annotations

from pathlib import Path

from bot.config.schema import NetworkConfig, load_config
from scrapers import build_source, source_class

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def test_the_example_config_loads_and_builds_every_source() -> None:
    config = load_config(EXAMPLE)
    assert config.network == NetworkConfig()  # the file documents the defaults
    names = {s.name for s in config.sources}
    assert {"seeds", "sohr", "alaraby", "meo"} <= names
    assert len(config.sources) >= 6
    for source_config in config.sources:
        source = build_source(source_config)
        assert source.name == source_config.name
        assert type(source) is source_class(source_config.kind)
    enabled = [s.name for s in config.sources if s.enabled]
    assert enabled == ["seeds", "sohr"]


def test_every_network_key_is_documented() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for key in NetworkConfig.__dataclass_fields__:
        assert f"\n{key} =" in text or f"\n# {key} =" in text, key
