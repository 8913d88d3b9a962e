"""dangjian: Chinese party-building news pages -> a clean DuckDB warehouse."""

__version__ = "0.1.0"
