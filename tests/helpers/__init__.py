"""Factories and fixture builders the tests share (not tests themselves)."""
