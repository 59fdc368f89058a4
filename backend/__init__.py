"""Portail Organisation: the Organisation and Support domains of the e-invoicing portal."""
