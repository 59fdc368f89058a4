"""Benchmarks: data-set generator, load runs, raw-SQL baseline, report (see bench/README.md)."""
