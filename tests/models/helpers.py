"""Helpers of the model tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class WriteCounter(logging.Handler):
    """Collects the INSERT / UPDATE / DELETE statements Tortoise logs."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        texts = [record.msg] + [arg for arg in record.args or () if isinstance(arg, str)]
        for text in texts:
            if isinstance(text, str) and text.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                self.statements.append(text)
                break


@contextmanager
def count_writes() -> Iterator[WriteCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = WriteCounter()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
