"""Seed data: reference files and the demo data set (``portail seed``)."""
