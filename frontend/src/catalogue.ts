/**
 * The screen catalogue of the portal: domain → group → screen.
 *
 * This is navigation data shipped with the SPA. It is distinct from the
 * habilitation applications (`applications { code name domain }` in the API,
 * seeded by the backend): a screen is a page of this portal, an application is
 * a right a user may hold.
 *
 * Only the Organisation and Support domains are served by this portal; the
 * other domains list their habilitation applications, read from the API.
 * Which component renders a screen is decided in `screens.ts`.
 */
import type { Domain } from '@/graphql/generated'

export type DomainCode =
  | 'marche'
  | 'commande'
  | 'facturation'
  | 'organisation'
  | 'raccordements'
  | 'outils'
  | 'support'

export type GroupCode = 'structures' | 'utilisateurs' | 'approbations' | 'support'

/** Key of a DSFR pictogram (see `pictograms.ts`). */
export type PictogramKey =
  | 'contract'
  | 'document-add'
  | 'money'
  | 'city-hall'
  | 'internet'
  | 'application'
  | 'human-cooperation'

export interface PortalDomain {
  /** URL segment: /domaines/:code */
  code: DomainCode
  /** The API's `Domain` enum value. */
  apiDomain: Domain
  name: string
  description: string
  pictogram: PictogramKey
  /** Whether this portal serves the domain's screens (else: other parts of the portal). */
  inPortal: boolean
}

export interface ScreenGroup {
  code: GroupCode
  name: string
}

export interface Screen {
  /** Stable identifier, also the route name. */
  id: string
  title: string
  description: string
  domain: DomainCode
  group: GroupCode
  /** Absolute route path. */
  path: string
  /** Extra words the search box matches (synonyms, acronyms). */
  keywords?: readonly string[]
  /** Only for platform administrators and support agents: hidden from the others' tiles and search. */
  staffOnly?: boolean
}

export const DOMAINS: readonly PortalDomain[] = [
  {
    code: 'marche',
    apiDomain: 'MARCHE',
    name: 'Marché',
    description: 'Passation des marchés publics.',
    pictogram: 'contract',
    inPortal: false,
  },
  {
    code: 'commande',
    apiDomain: 'COMMANDE',
    name: 'Commande',
    description: 'Engagements juridiques et certificats de cessibilité.',
    pictogram: 'document-add',
    inPortal: false,
  },
  {
    code: 'facturation',
    apiDomain: 'FACTURATION',
    name: 'Facturation',
    description: 'Factures émises, reçues et à valider, mémoires de frais de justice, remboursements de taxes.',
    pictogram: 'money',
    inPortal: false,
  },
  {
    code: 'organisation',
    apiDomain: 'ORGANISATION',
    name: 'Organisation',
    description: 'Structures, services, coordonnées bancaires, utilisateurs, habilitations et approbations.',
    pictogram: 'city-hall',
    inPortal: true,
  },
  {
    code: 'raccordements',
    apiDomain: 'RACCORDEMENTS',
    name: 'Raccordements',
    description: 'Raccordements EDI et API, suivi des flux.',
    pictogram: 'internet',
    inPortal: false,
  },
  {
    code: 'outils',
    apiDomain: 'OUTILS',
    name: 'Outils',
    description: 'Signature électronique et outils annexes.',
    pictogram: 'application',
    inPortal: false,
  },
  {
    code: 'support',
    apiDomain: 'SUPPORT',
    name: 'Support',
    description: 'Tickets d’assistance : créer un ticket, suivre les tickets émis et reçus.',
    pictogram: 'human-cooperation',
    inPortal: true,
  },
]

export const GROUPS: readonly ScreenGroup[] = [
  { code: 'structures', name: 'Structures' },
  { code: 'utilisateurs', name: 'Utilisateurs' },
  { code: 'approbations', name: 'Approbations' },
  { code: 'support', name: 'Support' },
]

export const SCREENS: readonly Screen[] = [
  // ------------------------------------------------------------ Organisation › Structures
  {
    id: 'structure-creer',
    title: 'Créer une structure',
    description: 'Créer une structure privée ou publique ; vous en devenez le gestionnaire principal.',
    domain: 'organisation',
    group: 'structures',
    path: '/organisation/structures/creer',
    keywords: ['SIRET', 'nouvelle structure', 'fournisseur'],
  },
  {
    id: 'structure-gerer',
    title: 'Gérer une structure',
    description: 'Rechercher, consulter et modifier une structure, l’activer ou la désactiver.',
    domain: 'organisation',
    group: 'structures',
    path: '/organisation/structures/gerer',
    keywords: ['SIRET', 'raison sociale', 'INSEE', 'consulter une structure', 'modifier une structure'],
  },
  {
    id: 'service-creer',
    title: 'Créer un service',
    description: 'Créer un service (secteur étanche) dans une structure.',
    domain: 'organisation',
    group: 'structures',
    path: '/organisation/structures/services/creer',
    keywords: ['secteur étanche'],
  },
  {
    id: 'service-gerer',
    title: 'Gérer un service',
    description: 'Consulter et modifier les services d’une structure, les activer ou les désactiver.',
    domain: 'organisation',
    group: 'structures',
    path: '/organisation/structures/services/gerer',
    keywords: ['secteur étanche'],
  },
  {
    id: 'coordonnee-bancaire-creer',
    title: 'Créer une coordonnée bancaire',
    description: 'Déclarer un compte bancaire (IBAN, BIC) avec son RIB.',
    domain: 'organisation',
    group: 'structures',
    path: '/organisation/structures/coordonnees-bancaires/creer',
    keywords: ['IBAN', 'BIC', 'RIB', 'compte bancaire', 'affactureur'],
  },
  {
    id: 'coordonnee-bancaire-gerer',
    title: 'Gérer une coordonnée bancaire',
    description: 'Consulter, modifier, activer ou désactiver les coordonnées bancaires d’une structure.',
    domain: 'organisation',
    group: 'structures',
    path: '/organisation/structures/coordonnees-bancaires/gerer',
    keywords: ['IBAN', 'BIC', 'RIB', 'compte bancaire'],
  },
  {
    id: 'structure-pieces-jointes',
    title: "Pièces jointes d'une structure",
    description: 'Ajouter, télécharger ou supprimer les documents joints à une structure.',
    domain: 'organisation',
    group: 'structures',
    path: '/organisation/structures/pieces-jointes',
    keywords: ['document', 'pièce jointe', 'télécharger'],
  },
  {
    id: 'piece-jointe-telecharger',
    title: 'Télécharger une pièce jointe',
    description: 'Télécharger un document joint à une structure.',
    domain: 'organisation',
    group: 'structures',
    path: '/organisation/structures/pieces-jointes/telecharger',
    keywords: ['document', 'pièce jointe', 'pièce-jointe'],
  },
  {
    id: 'piece-jointe-supprimer',
    title: 'Supprimer une pièce jointe',
    description: 'Supprimer un document joint à une structure.',
    domain: 'organisation',
    group: 'structures',
    path: '/organisation/structures/pieces-jointes/supprimer',
    keywords: ['document', 'pièce jointe', 'pièce-jointe'],
  },
  {
    id: 'structure-dupliquer',
    title: 'Dupliquer une structure',
    description: 'Créer une nouvelle structure à partir d’une structure existante lorsque son SIRET change.',
    domain: 'organisation',
    group: 'structures',
    path: '/organisation/structures/dupliquer',
    keywords: ['SIRET', 'déménagement', 'réorganisation'],
  },
  {
    id: 'gestionnaire-transferer',
    title: 'Transférer le gestionnaire principal',
    description: 'Confier le rôle de gestionnaire principal à un autre utilisateur rattaché.',
    domain: 'organisation',
    group: 'structures',
    path: '/organisation/structures/transferer-gestionnaire',
    keywords: ['gestionnaire principal', 'transfert'],
  },
  {
    id: 'gestionnaire-designer',
    title: 'Désigner ou remplacer un gestionnaire principal',
    description:
      'Administration et support : désigner le gestionnaire principal d’une structure qui n’en a plus, ou transférer le rôle pour le compte d’un gestionnaire.',
    domain: 'organisation',
    group: 'structures',
    path: '/organisation/structures/designer-gestionnaire',
    keywords: ['gestionnaire principal', 'transfert', 'remplacement', 'administrateur', 'support'],
    staffOnly: true,
  },
  // ------------------------------------------------------------ Organisation › Utilisateurs
  {
    id: 'rattachement-demander',
    title: 'Demander un rattachement à une structure',
    description: 'Demander à être rattaché à une structure ou à l’un de ses services.',
    domain: 'organisation',
    group: 'utilisateurs',
    path: '/organisation/utilisateurs/demander-rattachement',
    keywords: ['rejoindre une structure', 'demande de rattachement'],
  },
  {
    id: 'utilisateur-rattacher',
    title: 'Rattacher un utilisateur',
    description: 'Rattacher un utilisateur par son adresse électronique, à la structure ou à un service.',
    domain: 'organisation',
    group: 'utilisateurs',
    path: '/organisation/utilisateurs/rattacher',
    keywords: ['inviter', 'ajouter un utilisateur'],
  },
  {
    id: 'utilisateur-detacher',
    title: 'Détacher un utilisateur',
    description: 'Détacher un utilisateur qui ne travaille plus pour la structure ou le service.',
    domain: 'organisation',
    group: 'utilisateurs',
    path: '/organisation/utilisateurs/detacher',
    keywords: ['retirer un utilisateur', 'supprimer un utilisateur'],
  },
  {
    id: 'utilisateurs-consulter',
    title: 'Consulter les utilisateurs',
    description: 'Lister et exporter les utilisateurs de mes structures et services.',
    domain: 'organisation',
    group: 'utilisateurs',
    path: '/organisation/utilisateurs/consulter',
    keywords: ['liste des utilisateurs', 'export'],
  },
  {
    id: 'utilisateur-afficher',
    title: 'Afficher un utilisateur',
    description: 'Consulter le détail d’un utilisateur et ses rattachements.',
    domain: 'organisation',
    group: 'utilisateurs',
    path: '/organisation/utilisateurs/afficher',
    keywords: ['fiche utilisateur'],
  },
  {
    id: 'habilitations-gerer',
    title: 'Gérer les habilitations des utilisateurs',
    description: 'Ajouter ou retirer des profils aux utilisateurs d’une structure.',
    domain: 'organisation',
    group: 'utilisateurs',
    path: '/organisation/utilisateurs/habilitations',
    keywords: ['profil', 'droits', 'abonnement'],
  },
  {
    id: 'mes-habilitations',
    title: 'Gérer mes habilitations',
    description: 'Demander l’ajout ou le retrait de profils sur mes structures.',
    domain: 'organisation',
    group: 'utilisateurs',
    path: '/organisation/utilisateurs/mes-habilitations',
    keywords: ['profil', 'droits', 'mes droits'],
  },
  {
    id: 'activites-gestionnaire',
    title: 'Activités du gestionnaire',
    description: 'Consulter et exporter l’historique des modifications faites sur une structure.',
    domain: 'organisation',
    group: 'utilisateurs',
    path: '/organisation/utilisateurs/activites',
    keywords: ['historique', 'journal', 'audit', 'traçabilité', 'export'],
  },
  // ------------------------------------------------------------ Organisation › Approbations
  {
    id: 'approbations',
    title: 'Approbations',
    description: 'Approuver ou refuser les demandes de rattachement et d’habilitations.',
    domain: 'organisation',
    group: 'approbations',
    path: '/organisation/approbations',
    keywords: ['demandes', 'valider', 'refuser'],
  },
  // ------------------------------------------------------------ Support › Support
  {
    id: 'ticket-creer',
    title: 'Créer un ticket',
    description: 'Envoyer une demande d’assistance au support ou à un destinataire métier.',
    domain: 'support',
    group: 'support',
    path: '/support/tickets/creer',
    keywords: ['sollicitation', 'assistance', 'aide', 'question'],
  },
  {
    id: 'tickets-emis',
    title: 'Tickets émis',
    description: 'Suivre les tickets émis par mes structures : actions requises, en cours, clôturés, brouillons.',
    domain: 'support',
    group: 'support',
    path: '/support/tickets/emis',
    keywords: ['sollicitations émises', 'brouillons'],
  },
  {
    id: 'tickets-recus',
    title: 'Tickets reçus',
    description: 'Traiter les tickets adressés à mes structures.',
    domain: 'support',
    group: 'support',
    path: '/support/tickets/recus',
    keywords: ['sollicitations reçues'],
  },
]

export function findDomain(code: string): PortalDomain | undefined {
  return DOMAINS.find((domain) => domain.code === code)
}

export function domainOf(screen: Screen): PortalDomain {
  const domain = findDomain(screen.domain)
  if (!domain) throw new Error(`Domaine inconnu : ${screen.domain}`)
  return domain
}

export function groupName(code: GroupCode): string {
  return GROUPS.find((group) => group.code === code)?.name ?? code
}

/** The screens of a domain, grouped in catalogue order; empty groups left out. */
export function screensByGroup(domain: DomainCode): { group: ScreenGroup; screens: Screen[] }[] {
  return GROUPS.map((group) => ({
    group,
    screens: SCREENS.filter((screen) => screen.domain === domain && screen.group === group.code),
  })).filter((entry) => entry.screens.length > 0)
}
