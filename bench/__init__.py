"""Benchmarks run by hand against a stack they start themselves (see docs/benchmarks.md)."""
