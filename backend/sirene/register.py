"""Looking a SIRET up in the SIRENE register.

The imported stock file (table ``sirene_establishment``) answers first. When
an INSEE API is configured (``PORTAIL_SIRENE_API_URL`` and
``PORTAIL_SIRENE_API_KEY``), a SIRET missing locally is asked to INSEE's
Sirene API (``GET {url}/siret/{siret}``, header
``X-INSEE-Api-Key-Integration``) with a short timeout, and the answer is
cached into the table. ``fresh=True`` (refresh from INSEE, re-activation)
asks the API even when the SIRET is known locally, and falls back to the
local row when the API does not answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from tortoise.exceptions import IntegrityError

from backend.models import SireneEstablishment
from backend.services.errors import SireneUnknown
from backend.sirene.importer import UPDATE_FIELDS, establishment_values, legal_unit_name

log = logging.getLogger("portail.sirene")

API_KEY_HEADER = "X-INSEE-Api-Key-Integration"
UNAVAILABLE = (
    "Le répertoire SIRENE de l'INSEE ne répond pas pour le moment : réessayez dans quelques minutes."
)


class SireneUnavailable(SireneUnknown):
    """The INSEE API did not answer (timeout, error, unexpected content)."""

    default_message = UNAVAILABLE


def values_from_api(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The model's fields from the API's answer to ``GET /siret/{siret}``."""
    etablissement = payload.get("etablissement")
    if not isinstance(etablissement, dict):
        return None
    periods = [p for p in etablissement.get("periodesEtablissement") or [] if isinstance(p, dict)]
    current = next((p for p in periods if not p.get("dateFin")), periods[0] if periods else {})
    row: dict[str, str] = {}
    for source in (etablissement, etablissement.get("adresseEtablissement") or {}, current):
        for key, value in source.items():
            if value is not None and not isinstance(value, (dict, list)):
                row[key] = str(value)
    values = establishment_values(row)
    if values is None:
        return None
    unit = etablissement.get("uniteLegale") or {}
    values["name"] = (legal_unit_name(unit) or values["name"])[:255]
    return values


@dataclass(frozen=True)
class SireneRegister:
    """The local table, optionally backed by INSEE's API."""

    api_url: str = ""
    api_key: str = ""
    timeout: float = 3.0

    @classmethod
    def from_settings(cls, settings: Any) -> SireneRegister:
        return cls(
            api_url=getattr(settings, "sirene_api_url", "") or "",
            api_key=getattr(settings, "sirene_api_key", "") or "",
            timeout=float(getattr(settings, "sirene_api_timeout", 3.0) or 3.0),
        )

    @property
    def live(self) -> bool:
        return bool(self.api_url and self.api_key)

    async def find(self, siret: str, *, fresh: bool = False) -> SireneEstablishment | None:
        """The establishment, or None when the register does not know it.

        Raises :class:`SireneUnavailable` when only the API could answer and it did not.
        """
        local = await SireneEstablishment.get_or_none(siret=siret)
        if not self.live or (local is not None and not fresh):
            return local
        try:
            values = await self._fetch(siret)
        except SireneUnavailable:
            if local is not None:
                return local
            raise
        if values is None:
            return local
        return await _cache(values)

    async def _fetch(self, siret: str) -> dict[str, Any] | None:
        url = f"{self.api_url.rstrip('/')}/siret/{siret}"
        headers = {API_KEY_HEADER: self.api_key, "Accept": "application/json"}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(url, headers=headers)
        except httpx.HTTPError as error:
            log.warning("SIRENE API unreachable for %s: %s", siret, error)
            raise SireneUnavailable() from error
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            log.warning("SIRENE API answered %s for %s", response.status_code, siret)
            raise SireneUnavailable()
        try:
            values = values_from_api(response.json())
        except ValueError as error:
            log.warning("SIRENE API sent unreadable content for %s", siret)
            raise SireneUnavailable() from error
        if values is None or values["siret"] != siret:
            log.warning("SIRENE API sent an unexpected answer for %s", siret)
            raise SireneUnavailable()
        return values


async def _cache(values: dict[str, Any]) -> SireneEstablishment:
    """Insert or update the establishment with the API's answer."""
    values = {**values, "imported_at": datetime.now(UTC)}
    existing = await SireneEstablishment.get_or_none(siret=values["siret"])
    if existing is None:
        try:
            return await SireneEstablishment.create(**values)
        except IntegrityError:  # cached by a concurrent request meanwhile
            existing = await SireneEstablishment.get(siret=values["siret"])
    await SireneEstablishment.filter(id=existing.id).update(**{k: values[k] for k in UPDATE_FIELDS})
    return await SireneEstablishment.get(id=existing.id)
