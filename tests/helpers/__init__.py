"""Reusable fixture builders for tests (not collected as tests themselves)."""
