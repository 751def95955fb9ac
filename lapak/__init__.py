"""Lapak: the shop platform; this package holds project-wide tooling (local stack)."""
