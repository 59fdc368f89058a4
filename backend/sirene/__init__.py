"""The SIRENE register: import of INSEE's stock file of establishments."""
