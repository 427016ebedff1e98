"""Benchmarks for `make bench`: figures printed, never asserted."""
