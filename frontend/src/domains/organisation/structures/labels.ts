/**
 * French labels and small helpers shared by the Organisation › Structures
 * screens (the API speaks English; the screens, French).
 */
import { nextTick } from 'vue'
import { useRoute, useRouter } from 'vue-router'

import type { ActivityStatus, IdentifierType, StructureKind } from '@/graphql/generated'

export interface IdentifierTypeInfo {
  value: IdentifierType
  text: string
  /** Label of the identifier field. */
  fieldLabel: string
  hint: string
  /** Whether the user types an identifier (PARTICULIER: the portal assigns one). */
  hasIdentifier: boolean
}

/** The identifier types, in the order of the selector (reference-data.md). */
export const IDENTIFIER_TYPES: readonly IdentifierTypeInfo[] = [
  {
    value: 'SIRET',
    text: 'SIRET',
    fieldLabel: 'Identifiant SIRET',
    hint: '14 chiffres. Vérification faite dans la base SIRENE de l’INSEE : l’établissement doit y être actif.',
    hasIdentifier: true,
  },
  {
    value: 'UE_HORS_FRANCE',
    text: 'Structure européenne hors France',
    fieldLabel: 'Numéro de TVA intracommunautaire',
    hint: 'Numéro de TVA d’un État membre autre que la France, précédé du code du pays (ex. : DE123456789).',
    hasIdentifier: true,
  },
  {
    value: 'HORS_UE',
    text: 'Structure hors UE',
    fieldLabel: 'Identifiant',
    hint: 'De 1 à 80 caractères : lettres, chiffres et espaces.',
    hasIdentifier: true,
  },
  {
    value: 'RIDET',
    text: 'RIDET (Nouvelle-Calédonie)',
    fieldLabel: 'Numéro RIDET',
    hint: '10 chiffres : le RID (7 chiffres) suivi du numéro d’établissement (3 chiffres).',
    hasIdentifier: true,
  },
  {
    value: 'TAHITI',
    text: 'Numéro TAHITI (Polynésie française)',
    fieldLabel: 'Numéro TAHITI',
    hint: '9 caractères : 6 lettres ou chiffres suivis de 3 chiffres.',
    hasIdentifier: true,
  },
  {
    value: 'PARTICULIER',
    text: 'Particulier',
    fieldLabel: 'Identifiant',
    hint: 'Le portail attribue l’identifiant.',
    hasIdentifier: false,
  },
  {
    value: 'AUTRE',
    text: 'En cours d’immatriculation',
    fieldLabel: 'Identifiant',
    hint: 'Identifiant provisoire, de 1 à 80 caractères : lettres, chiffres et espaces.',
    hasIdentifier: true,
  },
]

/** The description of an identifier type (SIRET's for an unknown value). */
export function identifierTypeInfo(value: IdentifierType | null | undefined): IdentifierTypeInfo {
  return IDENTIFIER_TYPES.find((type) => type.value === value) ?? (IDENTIFIER_TYPES[0] as IdentifierTypeInfo)
}

export function identifierTypeLabel(value: IdentifierType | null | undefined): string {
  return IDENTIFIER_TYPES.find((type) => type.value === value)?.text ?? '—'
}

export const KIND_LABELS: Record<StructureKind, string> = {
  PRIVATE: 'Privée',
  PUBLIC: 'Publique',
}

export const STATUS_LABELS: Record<ActivityStatus, string> = {
  ACTIVE: 'Active',
  INACTIVE: 'Inactive',
}

/** Service and bank account states (masculine nouns). */
export const STATUS_LABELS_M: Record<ActivityStatus, string> = {
  ACTIVE: 'Actif',
  INACTIVE: 'Inactif',
}

interface ProfileLike {
  level: string
  application: { code: string }
}

/** Whether the viewer holds Organisation modification (the right to change the structure, its services, bank details and documents). */
export function holdsOrganisationModification(profiles: readonly ProfileLike[] | null | undefined): boolean {
  return (profiles ?? []).some(
    (profile) => profile.application.code === 'ORGANISATION' && profile.level === 'MODIFICATION',
  )
}

/** « 81234567600017 – Boulangerie Martin et Fils » */
export function structureLabel(structure: { identifier: string; name: string }): string {
  return `${structure.identifier} – ${structure.name}`
}

/** « 1,2 Mo », « 350 octets » */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} octet${bytes > 1 ? 's' : ''}`
  const units = ['ko', 'Mo', 'Go']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} ${units[unit]}`
}

/** An empty string → null (optional fields of the inputs). */
export function orNull(value: string): string | null {
  const trimmed = value.trim()
  return trimmed === '' ? null : trimmed
}

/**
 * The structure chosen on a screen, kept in the URL (`?structure=<id>`): a
 * link may open a screen on a structure, and reloading keeps it.
 */
export function useStructureQuery() {
  const route = useRoute()
  const router = useRouter()
  function read(): string | null {
    const value = route.query.structure
    return typeof value === 'string' && value !== '' ? value : null
  }
  function write(id: string | null) {
    if (read() === id) return
    const query = { ...route.query }
    if (id) query.structure = id
    else delete query.structure
    void router.replace({ query })
  }
  return { read, write }
}

/**
 * After a failed submission: focus the first field in error (inputs, text
 * areas, selects, file inputs, radio and checkbox groups), so that keyboard
 * and screen-reader users land on what to correct.
 */
export async function focusFirstError(form: HTMLElement | null | undefined): Promise<void> {
  await nextTick()
  const field = form?.querySelector<HTMLElement>(
    [
      '.fr-input-group--error input',
      '.fr-input-group--error textarea',
      '.fr-select-group--error select',
      '.fr-upload-group--error input',
      '.fr-fieldset--error input',
    ].join(', '),
  )
  field?.focus()
}
