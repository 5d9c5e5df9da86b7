"""Checks: pure functions from a Snapshot and the knowledge base to Findings."""
