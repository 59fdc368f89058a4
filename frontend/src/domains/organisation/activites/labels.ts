/**
 * French labels of « Activités du gestionnaire »: the audit log's actions, the kinds of objects
 * changed and the fields of the changes (the API speaks English; the screen, French). An action
 * or a field missing here is shown as the API names it.
 */

export const ACTION_LABELS: Readonly<Record<string, string>> = {
  'structure.create': 'Création de la structure',
  'structure.update': 'Modification de la structure',
  'structure.activate': 'Activation de la structure',
  'structure.deactivate': 'Désactivation de la structure',
  'structure.refresh_from_sirene': 'Mise à jour depuis la base INSEE',
  'structure.duplicate': 'Duplication de la structure',
  'structure.transfer_principal_manager': 'Transfert du gestionnaire principal',
  'structure.clear_principal_manager': 'Départ du gestionnaire principal',
  'service.create': 'Création d’un service',
  'service.update': 'Modification d’un service',
  'bank_account.create': 'Création d’une coordonnée bancaire',
  'bank_account.update': 'Modification d’une coordonnée bancaire',
  'document.upload': 'Ajout d’une pièce jointe',
  'document.delete': 'Suppression d’une pièce jointe',
  'membership.attach': 'Rattachement d’un utilisateur',
  'membership.detach': 'Détachement d’un utilisateur',
  'membership.request': 'Demande de rattachement',
  'membership.cancel': 'Annulation d’une demande de rattachement',
  'invitation.create': 'Invitation d’un utilisateur',
  'invitation.accept': 'Acceptation d’une invitation',
  'invitation.revoke': 'Révocation d’une invitation',
  'habilitation.add': 'Ajout d’un profil',
  'habilitation.replace': 'Remplacement d’un profil',
  'habilitation.remove': 'Retrait d’un profil',
  'habilitation.remove_all': 'Retrait de tous les profils',
  'habilitation.copy': 'Copie d’habilitations',
  'approval.request': 'Demande d’approbation',
  'approval.approve': 'Approbation',
  'approval.refuse': 'Refus d’une approbation',
  'approval.comment': 'Commentaire sur une approbation',
  'approval.cancel': 'Annulation d’une approbation',
  'ticket.create_draft': 'Création d’un brouillon de ticket',
  'ticket.update_draft': 'Modification d’un brouillon de ticket',
  'ticket.delete_draft': 'Suppression d’un brouillon de ticket',
  'ticket.submit': 'Envoi d’un ticket',
}

/** Every action of a kind (the API's filter « habilitation. »). */
export const ACTION_KIND_LABELS: Readonly<Record<string, string>> = {
  'structure.': 'Toutes les actions sur la structure',
  'service.': 'Toutes les actions sur les services',
  'bank_account.': 'Toutes les actions sur les coordonnées bancaires',
  'document.': 'Toutes les actions sur les pièces jointes',
  'membership.': 'Toutes les actions sur les rattachements',
  'invitation.': 'Toutes les actions sur les invitations',
  'habilitation.': 'Toutes les actions sur les habilitations',
  'approval.': 'Toutes les actions sur les approbations',
  'ticket.': 'Toutes les actions sur les tickets',
}

export const TARGET_LABELS: Readonly<Record<string, string>> = {
  Structure: 'Structure',
  Service: 'Service',
  BankAccount: 'Coordonnée bancaire',
  Document: 'Pièce jointe',
  Membership: 'Rattachement',
  Invitation: 'Invitation',
  Habilitation: 'Habilitation',
  Approval: 'Approbation',
  Ticket: 'Ticket',
  User: 'Utilisateur',
}

const FIELD_LABELS: Readonly<Record<string, string>> = {
  identifierType: 'Type d’identifiant',
  identifier: 'Identifiant',
  name: 'Nom',
  label: 'Libellé',
  kind: 'Type de structure',
  email: 'Adresse électronique',
  phone: 'Téléphone',
  status: 'Statut',
  address: 'Adresse',
  options: 'Options',
  principal_manager_id: 'Gestionnaire principal',
  principalManagerId: 'Gestionnaire principal',
  profile: 'Profil',
  comment: 'Commentaire',
  code: 'Code',
  description: 'Description',
  iban: 'IBAN',
  bic: 'BIC',
  fileName: 'Nom du fichier',
}

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? ACTION_KIND_LABELS[action] ?? action
}

export function targetLabel(type: string): string {
  return TARGET_LABELS[type] ?? type
}

/** The API's enum values found in the changes. */
const VALUE_LABELS: Readonly<Record<string, string>> = {
  PRIVATE: 'Privée',
  PUBLIC: 'Publique',
  ACTIVE: 'Active',
  INACTIVE: 'Inactive',
  PENDING: 'En cours de validation',
  DETACHED: 'Détaché',
  REFUSED: 'Refusée',
  CONSULTATION: 'Consultation',
  MODIFICATION: 'Modification',
}

function showValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(vide)'
  if (typeof value === 'boolean') return value ? 'oui' : 'non'
  if (typeof value === 'string' && value in VALUE_LABELS) return VALUE_LABELS[value] as string
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** The API's `changes` (JSON {field: [before, after]}) as « Téléphone : (vide) → 01 02 03 04 05 » lines. */
export function changeLines(changes: string | null): string[] {
  if (!changes) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(changes)
  } catch {
    return [changes]
  }
  if (typeof parsed !== 'object' || parsed === null) return [changes]
  return Object.entries(parsed as Record<string, unknown>).map(([field, value]) => {
    const name = FIELD_LABELS[field] ?? field
    if (Array.isArray(value) && value.length === 2) return `${name} : ${showValue(value[0])} → ${showValue(value[1])}`
    return `${name} : ${showValue(value)}`
  })
}
