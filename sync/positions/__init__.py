"""Positions: one interview per job of the jobs export, created once and reused."""
