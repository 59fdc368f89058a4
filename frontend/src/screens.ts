/**
 * Which component renders each catalogue screen. A screen not listed here is
 * not built yet: it shows ComingSoonPage (title, breadcrumb, « Cet écran
 * arrive bientôt »). To build one, add its page under `domains/<domain>/` and
 * map its catalogue id here, e.g.
 *
 *   'structure-gerer': () => import('@/domains/organisation/GererStructurePage.vue'),
 *
 * The page receives the prop `screenId`.
 */
import type { RouteComponent } from 'vue-router'

type LazyComponent = () => Promise<RouteComponent | { default: RouteComponent }>

export const SCREEN_COMPONENTS: Readonly<Record<string, LazyComponent>> = {
  // Organisation › Utilisateurs, Approbations
  'rattachement-demander': () => import('@/domains/organisation/RequestAttachmentPage.vue'),
  'utilisateur-rattacher': () => import('@/domains/organisation/AttachUserPage.vue'),
  'utilisateur-detacher': () => import('@/domains/organisation/DetachUserPage.vue'),
  'utilisateurs-consulter': () => import('@/domains/organisation/UsersListPage.vue'),
  'utilisateur-afficher': () => import('@/domains/organisation/UserPage.vue'),
  'habilitations-gerer': () => import('@/domains/organisation/ManageHabilitationsPage.vue'),
  'mes-habilitations': () => import('@/domains/organisation/MyHabilitationsPage.vue'),
  'activites-gestionnaire': () => import('@/domains/organisation/ManagerActivityPage.vue'),
  approbations: () => import('@/domains/organisation/ApprovalsPage.vue'),
  // Organisation › Structures
  'structure-creer': () => import('@/domains/organisation/CreateStructurePage.vue'),
  'structure-gerer': () => import('@/domains/organisation/ManageStructurePage.vue'),
  'service-creer': () => import('@/domains/organisation/CreateServicePage.vue'),
  'service-gerer': () => import('@/domains/organisation/ManageServicePage.vue'),
  'coordonnee-bancaire-creer': () => import('@/domains/organisation/CreateBankAccountPage.vue'),
  'coordonnee-bancaire-gerer': () => import('@/domains/organisation/ManageBankAccountPage.vue'),
  'structure-pieces-jointes': () => import('@/domains/organisation/StructureDocumentsPage.vue'),
  'piece-jointe-telecharger': () => import('@/domains/organisation/StructureDocumentsPage.vue'),
  'piece-jointe-supprimer': () => import('@/domains/organisation/StructureDocumentsPage.vue'),
  'structure-dupliquer': () => import('@/domains/organisation/DuplicateStructurePage.vue'),
  'gestionnaire-transferer': () => import('@/domains/organisation/TransferManagerPage.vue'),
  'gestionnaire-designer': () => import('@/domains/organisation/DesignateManagerPage.vue'),
  // Support (the ticket's own page is a route of router.ts: /support/tickets/:number)
  'ticket-creer': () => import('@/domains/support/CreateTicketPage.vue'),
  'tickets-emis': () => import('@/domains/support/IssuedTicketsPage.vue'),
  'tickets-recus': () => import('@/domains/support/ReceivedTicketsPage.vue'),
}
