"""The e-mails of users, habilitations and approvals (French texts).

Each function builds a :class:`~backend.services.mail.Mail`; the use cases
hand it to the mailer *after* their transaction commits (:func:`deliver`),
and sending never undoes the action.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from backend import models
from backend.services.mail import SIGNATURE, Mail, Mailer, text_to_html
from backend.settings import Settings

SIGN_UP_ROUTE = "/inscription"
APPROVAL_ROUTE = "/approbations"


def address_of(user: models.User) -> str:
    """Where to write to a user: their contact address when they gave one, else their login email."""
    return user.contact_email or user.email


def scope_label(structure: models.Structure, service: models.Service | None) -> str:
    """« la structure Boulangerie Martin (SIRET 81234567600017) », with « , service X » when it applies."""
    text = f"la structure {structure.name} ({structure.identifier_type.value} {structure.identifier})"
    if service is not None:
        text += f", service {service.code} - {service.name}"
    return text


def _mail(to: str, subject: str, text: str) -> Mail:
    return Mail(to=to, subject=subject, text=text, html=text_to_html(text))


def deliver(mailer: Mailer | None, mails: Iterable[Mail]) -> None:
    """Queue the mails (after the commit). Without a mailer (command line, tests of services) nothing is sent."""
    if mailer is None:
        return
    for mail in mails:
        mailer.send_mail(mail)


def attached_mail(
    settings: Settings,
    user: models.User,
    structure: models.Structure,
    service: models.Service | None,
    by: models.User | None,
) -> Mail:
    who = f"{by.full_name} vous a rattaché(e)" if by is not None else "Vous avez été rattaché(e)"
    text = (
        f"Bonjour {user.first_name},\n\n"
        f"{who} à {scope_label(structure, service)} sur le Portail Organisation.\n\n"
        "Vous y disposez des habilitations par défaut : toutes les applications en modification, "
        "sauf Organisation en consultation. Le gestionnaire principal de la structure peut les ajuster.\n\n"
        f"Pour vous connecter : {settings.public_url}/\n\n"
        f"{SIGNATURE}"
    )
    return _mail(address_of(user), f"Rattachement à {structure.name}", text)


def detached_mail(
    settings: Settings,
    user: models.User,
    structure: models.Structure,
    service: models.Service | None,
    by: models.User | None,
    comment: str,
) -> Mail:
    who = f"{by.full_name} vous a détaché(e)" if by is not None else "Vous avez été détaché(e)"
    text = (
        f"Bonjour {user.first_name},\n\n"
        f"{who} de {scope_label(structure, service)} sur le Portail Organisation. "
        "Vos habilitations à ce niveau ont été retirées.\n\n"
        f"Commentaire du gestionnaire :\n{comment}\n\n"
        "Si vous pensez qu'il s'agit d'une erreur, adressez-vous au gestionnaire principal de la structure.\n\n"
        f"{SIGNATURE}"
    )
    return _mail(address_of(user), f"Détachement de {structure.name}", text)


def invitation_mail(
    settings: Settings,
    email: str,
    structure: models.Structure,
    service: models.Service | None,
    by: models.User | None,
    secret: str,
    valid_days: int,
) -> Mail:
    url = f"{settings.public_url}{SIGN_UP_ROUTE}?" + urlencode({"email": email, "invitation": secret})
    who = f"{by.full_name} vous invite" if by is not None else "Vous êtes invité(e)"
    text = (
        "Bonjour,\n\n"
        f"{who} à rejoindre {scope_label(structure, service)} sur le Portail Organisation.\n\n"
        "Pour accepter, créez votre compte avec cette adresse électronique puis confirmez-la par le lien "
        "que vous recevrez : le rattachement sera fait à ce moment-là.\n"
        f"{url}\n\n"
        f"L'invitation est valable {valid_days} jours. Si vous ne connaissez pas cette structure, "
        "ignorez ce message.\n\n"
        f"{SIGNATURE}"
    )
    return _mail(email, f"Invitation à rejoindre {structure.name} sur le Portail Organisation", text)


def decision_mail(
    settings: Settings,
    approval: models.Approval,
    requester: models.User,
    structure: models.Structure,
    service: models.Service | None,
    decided_by: models.User | None,
) -> Mail:
    approved = approval.state == models.ApprovalState.APPROVED
    verdict = "approuvée" if approved else "refusée"
    who = f" par {decided_by.full_name}" if decided_by is not None else ""
    lines = [
        f"Bonjour {requester.first_name},\n",
        f"Votre demande {approval.number} ({approval.description}) a été {verdict}{who}.\n",
    ]
    if approved and approval.kind == models.ApprovalKind.ATTACHMENT:
        lines.append(
            f"Vous êtes désormais rattaché(e) à {scope_label(structure, service)}, avec les habilitations "
            "par défaut : toutes les applications en modification, sauf Organisation en consultation.\n"
        )
    elif approved:
        lines.append("Les changements d'habilitations demandés s'appliquent dès maintenant.\n")
    if not approved and approval.decision_reason:
        lines.append(f"Motif du refus :\n{approval.decision_reason}\n")
    lines.append(f"Pour consulter la demande : {settings.public_url}{APPROVAL_ROUTE}\n")
    lines.append(SIGNATURE)
    subject = f"Demande {approval.number} {verdict}"
    return _mail(address_of(requester), subject, "\n".join(lines))


def _names(profiles: Iterable[Any]) -> str:
    return ", ".join(p.name for p in profiles)


def change_description(add: Iterable[Any], remove: Iterable[Any], structure: models.Structure) -> str:
    """« Ajout de Factures reçues consultation ; retrait de Engagements modification (Boulangerie) »."""
    parts = []
    add, remove = list(add), list(remove)
    if add:
        parts.append(("Ajout du profil " if len(add) == 1 else "Ajout des profils ") + _names(add))
    if remove:
        word = "retrait du profil " if len(remove) == 1 else "retrait des profils "
        parts.append((word if parts else word.capitalize()) + _names(remove))
    return " ; ".join(parts) + f" sur {structure.name}"
