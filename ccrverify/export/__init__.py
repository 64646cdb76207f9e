"""Exporters: a built model in another tool's language (TLA+ for TLC)."""
