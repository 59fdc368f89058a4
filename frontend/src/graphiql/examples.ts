/**
 * The tabs GraphiQL opens with (until the visitor has tabs of their own,
 * which GraphiQL keeps in the browser): commented example operations, one
 * tab per domain. The values in the variables work with the demo data
 * (`make run`).
 *
 * tests/docs/test_graphiql_examples.py validates every operation below
 * against the schema: keep each `query` a plain template literal, without
 * `${…}`.
 */

export interface ExampleTab {
  query: string
  variables?: string
}

const MON_COMPTE = `# API GraphQL du Portail Organisation — Mon compte
#
# Ctrl+Entrée (ou ▶) exécute l'opération sous le curseur ; le bouton ▶
# propose la liste quand un onglet en contient plusieurs.
# « Docs » (à gauche) décrit chaque type, champ et argument.
#
# Authentification : la session du portail si vous êtes connecté dans
# ce navigateur ; sinon un jeton d'API (Mon compte → Jetons d'API, ou
# « portail create-token ») à coller dans l'onglet « Headers » en bas :
#   {"Authorization": "Bearer pot_…"}
# Un jeton en lecture seule ne lance aucune mutation.
#
# Les autres onglets : Structures, Utilisateurs et habilitations,
# Approbations, Support. Guide complet : docs/api.md.

# Qui suis-je, où suis-je rattaché, avec quels profils ? (viewer vaut
# null sans session ni jeton.) Puis les référentiels, publics :
# applications, profils, catégories de tickets.
query MonCompte {
  viewer {
    user { firstName lastName email }
    pendingApprovalCount       # demandes que je peux décider
    memberships(first: 10) {
      totalCount
      edges {
        node {
          structure { identifier name }
          service { code name }
          isPrincipalManager
          habilitations { profile { name level } }
        }
      }
    }
    apiTokens { name prefix readOnly expiresAt lastUsedAt }
  }
  applications { code name domain }
  profiles { name level }
  ticketCategories {
    name
    subcategories { code name isBusiness requiresObject }
  }
}
`

const STRUCTURES = `# Structures — l'annuaire, une structure et ses services,
# ses comptes bancaires et ses documents.
#
# Les listes sont des connexions : first (100 au plus), after
# (pageInfo.endCursor de la page précédente), totalCount.

# Recherche dans l'annuaire (identifiant, nom, code postal, ville) ;
# mine: true pour mes seules structures.
query Annuaire($recherche: String) {
  structures(search: $recherche, first: 10) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id identifier name city status } }
  }
}

# Une structure par son SIRET. Les champs au-delà de l'annuaire
# demandent la consultation Organisation sur la structure ; l'IBAN
# complet, la modification.
query Structure($siret: String!) {
  structure(identifierType: SIRET, identifier: $siret) {
    id
    name
    version                    # à renvoyer à updateStructure
    email
    address { line1 postalCode city country }
    principalManager { firstName lastName }
    services(first: 20) { totalCount edges { node { code name status } } }
    bankAccounts { name maskedIban bic status }
    documents { filename size downloadUrl }
  }
}

# Modifier : id et version lus ci-dessus (une version périmée répond
# CONFLICT dans errors). Variables : {"id": "…", "version": 1,
# "input": {"phone": "01 23 45 67 89"}}
mutation ModifierStructure($id: ID!, $version: Int!, $input: UpdateStructureInput!) {
  updateStructure(id: $id, version: $version, input: $input) {
    structure { id version phone }
    errors { code field message }
  }
}
`

const UTILISATEURS = `# Utilisateurs et habilitations — les membres de mes structures
# et leurs profils (consultation Organisation sur la structure).

query Utilisateurs($recherche: String) {
  memberships(search: $recherche, first: 20) {
    totalCount
    edges {
      node {
        user { id firstName lastName email }
        structure { id identifier name }
        service { code name }
        status
        isPrincipalManager
        habilitations { id profile { id name level application { name } } }
      }
    }
  }
}

# Accorder un profil (modification Organisation). Variables :
# {"input": {"userId": "…", "structureId": "…", "profileId": "…"}}
# Un profil d'une application déjà détenue répond ALREADY_EXISTS.
mutation AjouterHabilitation($input: AddHabilitationInput!) {
  addHabilitation(input: $input) {
    habilitation { id profile { name } }
    errors { code field message }
  }
}

# Rattacher quelqu'un par son adresse e-mail (une invitation part s'il
# n'a pas de compte). Variables :
# {"input": {"email": "…", "structureId": "…"}}
mutation Rattacher($input: AttachUserInput!) {
  attachUser(input: $input) {
    membership { id status }
    errors { code field message }
  }
}
`

const APPROBATIONS = `# Approbations — les demandes de rattachement et d'habilitations.
# toDecide: true : celles que je peux décider (jamais les miennes).

query AValider {
  approvals(toDecide: true, first: 20) {
    totalCount
    edges {
      node {
        id
        number
        kind
        state
        description
        requester { firstName lastName email }
        structure { identifier name }
        profilesToAdd { name }
        profilesToRemove { name }
        createdAt
      }
    }
  }
}

# Décider. Variables : {"id": "…"} ; refuser demande un motif :
# {"id": "…", "motif": "…"}
mutation Approuver($id: ID!) {
  approve(id: $id) {
    approval { id state decidedAt }
    errors { code message }
  }
}

mutation Refuser($id: ID!, $motif: String!) {
  refuse(id: $id, reason: $motif) {
    approval { id state decisionReason }
    errors { code field message }
  }
}

# Demander soi-même un rattachement. Variables :
# {"input": {"structureId": "…", "comment": "…"}}
mutation DemanderRattachement($input: RequestAttachmentInput!) {
  requestAttachment(input: $input) {
    approval { id number state }
    errors { code field message }
  }
}
`

const SUPPORT = `# Support — tickets émis (Sollicitations émises) et reçus
# (Sollicitations reçues), 10 par page par défaut.

# Onglets des tickets émis : ACTION_REQUIRED, IN_PROGRESS, CLOSED, DRAFTS.
query TicketsEmis {
  tickets(tab: IN_PROGRESS, first: 10) {
    totalCount
    edges {
      node {
        id
        number
        title
        status
        subcategory { name }
        issuerStructure { name }
        createdAt
        viewerActions            # ce que je peux faire maintenant
      }
    }
  }
}

query TicketsRecus($recherche: String) {
  receivedTickets(filter: { search: $recherche }, first: 10) {
    totalCount
    edges { node { id number title status issuerStructure { name } } }
  }
}

# Un ticket, son historique et ses pièces jointes (downloadUrl).
# Variables : {"numero": "CPROCS0000001"}
query Ticket($numero: String) {
  ticket(number: $numero) {
    number
    title
    status
    activities { kind body fromStatus toStatus author { firstName lastName } createdAt }
    attachments { filename size downloadUrl }
  }
}

# Déposer un ticket (les pièces jointes passent en multipart : voir
# examples/file_ticket.py). Variables : {"input": {"categoryId": "…",
# "subcategoryId": "…", "issuerStructureId": "…", "title": "…",
# "description": "…"}}
mutation Deposer($input: TicketInput!) {
  submitTicket(input: $input) {
    ticket { id number status }
    errors { code field message }
  }
}
`

export const EXAMPLE_TABS: ExampleTab[] = [
  { query: MON_COMPTE },
  { query: STRUCTURES, variables: '{\n  "recherche": "mairie",\n  "siret": "81234567600017"\n}' },
  { query: UTILISATEURS, variables: '{\n  "recherche": null\n}' },
  { query: APPROBATIONS },
  { query: SUPPORT, variables: '{\n  "recherche": null,\n  "numero": "CPROCS0000001"\n}' },
]
