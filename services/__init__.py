"""Lapak's seven services, one per division; they share only contracts/ and eventkit/."""
