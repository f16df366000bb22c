"""Check-in and answer frames on the shared gateway; each handler validates and calls one service."""
