/**
 * French labels and small helpers of the Support screens (the API speaks English; the screens, French).
 */
import type { TicketActivityKind, TicketObjectType, TicketSortField, TicketStatus, TicketTab } from '@/graphql/generated'

export const TICKET_STATUS_LABELS: Record<TicketStatus, string> = {
  DRAFT: 'Brouillon',
  OPEN: 'Ouvert',
  AWAITING_INFORMATION: 'En attente d’informations',
  RESOLVED: 'Résolu',
  CLOSED: 'Fermé',
}

/** DSFR badge type of each status. */
export const TICKET_STATUS_BADGES: Record<TicketStatus, 'info' | 'success' | 'error' | 'warning' | 'new'> = {
  DRAFT: 'new',
  OPEN: 'info',
  AWAITING_INFORMATION: 'warning',
  RESOLVED: 'success',
  CLOSED: 'new',
}

export const OBJECT_TYPE_LABELS: Record<TicketObjectType, string> = {
  FACTURE: 'Facture',
  DEMANDE_REMBOURSEMENT: 'Demande de remboursement',
  MEMOIRE: 'Mémoire',
}

export const ACTIVITY_LABELS: Record<TicketActivityKind, string> = {
  CREATED: 'Ticket soumis',
  COMMENT: 'Commentaire',
  INFORMATION_REQUESTED: 'Demande d’informations',
  INFORMATION_PROVIDED: 'Informations transmises',
  RESOLVED: 'Ticket résolu',
  REOPENED: 'Ticket renvoyé',
  CLOSED: 'Ticket fermé',
  SOLUTION_ACCEPTED: 'Solution acceptée',
  ATTACHMENT_ADDED: 'Pièces jointes ajoutées',
  ASSIGNED: 'Ticket assigné',
  TRANSFERRED: 'Ticket transféré au support',
}

export interface TabSpec {
  tab: TicketTab
  /** URL value of `?onglet=`. */
  slug: string
  label: string
  /** The statuses the tab lists (its status filter offers these). */
  statuses: TicketStatus[]
}

export const ISSUED_TABS: readonly TabSpec[] = [
  { tab: 'ACTION_REQUIRED', slug: 'actions-requises', label: 'Actions requises', statuses: ['AWAITING_INFORMATION', 'RESOLVED'] },
  { tab: 'IN_PROGRESS', slug: 'en-cours', label: 'En cours', statuses: ['OPEN', 'AWAITING_INFORMATION', 'RESOLVED'] },
  { tab: 'CLOSED', slug: 'clotures', label: 'Clôturés', statuses: ['CLOSED'] },
  { tab: 'DRAFTS', slug: 'brouillons', label: 'Brouillons', statuses: ['DRAFT'] },
]

export const RECEIVED_STATUSES: TicketStatus[] = ['OPEN', 'AWAITING_INFORMATION', 'RESOLVED', 'CLOSED']

export const SORT_COLUMNS: { field: TicketSortField; label: string }[] = [
  { field: 'NUMBER', label: 'Numéro' },
  { field: 'TITLE', label: 'Description brève' },
  { field: 'CREATED_AT', label: 'Créé le' },
  { field: 'CATEGORY', label: 'Catégorie' },
  { field: 'SUBCATEGORY', label: 'Sous-catégorie' },
  { field: 'STATUS', label: 'Statut' },
]

/** The rules of `reference-data.md` for attachments (the server checks them again, and the content). */
export const MAX_FILE_SIZE = 10 * 1024 * 1024
export const MAX_FILE_NAME = 50
export const ACCEPTED_EXTENSIONS = [
  'bmp', 'gif', 'fax', 'odt', 'ppt', 'tiff', 'xls', 'bz2', 'gz', 'jpeg', 'p7s', 'rtf', 'txt', 'xml', 'csv',
  'gzip', 'jpg', 'pdf', 'svg', 'xhtml', 'xlsx', 'doc', 'htm', 'odp', 'png', 'tgz', 'xlc', 'zip', 'docx', 'html',
  'ods', 'pps', 'tif', 'xlm', 'pptx',
] as const

export const ATTACHMENT_HINT =
  'Taille maximale : 10 Mo par fichier. Nom du fichier : 50 caractères au plus. Formats acceptés : ' +
  `${ACCEPTED_EXTENSIONS.join(', ')}. Plusieurs fichiers possibles.`

/** Why a file would be refused, or null. */
export function fileProblem(file: File): string | null {
  const extension = file.name.includes('.') ? file.name.split('.').pop()!.toLowerCase() : ''
  if (file.size > MAX_FILE_SIZE) return `« ${file.name} » dépasse 10 Mo.`
  if (file.name.length > MAX_FILE_NAME) return `Le nom « ${file.name} » dépasse ${MAX_FILE_NAME} caractères.`
  if (!(ACCEPTED_EXTENSIONS as readonly string[]).includes(extension)) {
    return `Le format de « ${file.name} » n’est pas accepté.`
  }
  return null
}

/** « 1,2 Mo », « 350 ko » */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} ko`
  return `${bytes} o`
}

interface Named {
  firstName: string
  lastName: string
}

/** « Camille Martin » */
export function fullName(user: Named | null | undefined, fallback = '—'): string {
  if (!user) return fallback
  return `${user.firstName} ${user.lastName}`.trim() || fallback
}

/** « 26450001800017 – Centre hospitalier régional de la Loire » */
export function structureLabel(structure: { identifier: string; name: string } | null | undefined, fallback = '—'): string {
  return structure ? `${structure.identifier} – ${structure.name}` : fallback
}

/**
 * The `after` cursor of a page (1-based) of `size` rows: the API's cursors are offsets
 * (base64url of « offset:N », N the row before the page), so that a list may jump to any page.
 */
export function pageCursor(page: number, size: number): string | null {
  if (page <= 1) return null
  return btoa(`offset:${(page - 1) * size - 1}`).replace(/\+/g, '-').replace(/\//g, '_')
}

/** Field errors name the input field last (["input", "attachments", "0"] → attachments). */
export function fieldOf<E extends { field: readonly string[] }>(error: E): E {
  const field = [...error.field]
  while (field.length > 0 && /^\d+$/.test(field[field.length - 1]!)) field.pop()
  return { ...error, field }
}
