/**
 * GraphiQL for the portal's API, served by the backend on GET /graphql from a
 * browser (dist/graphiql.html). Self-hosted: React, GraphiQL and its fonts are
 * bundled. React without JSX (createElement).
 *
 * Requests: POST /graphql, same-origin cookies (the signed-in session), header
 * `X-Requested-With: portail` (required for cookie-authenticated mutations).
 * Integrators paste `{"Authorization": "Bearer <jeton>"}` in the Headers tab.
 *
 * Opens with one tab of commented example operations per domain
 * (./examples.ts); a new tab starts with DEFAULT_QUERY.
 */
import 'graphiql/graphiql.css'
import './accessibility.css'

import { DOC_EXPLORER_PLUGIN } from '@graphiql/react'
import { GraphiQL, type GraphiQLProps } from 'graphiql'
import { createElement } from 'react'
import { createRoot } from 'react-dom/client'

import { GRAPHQL_ENDPOINT } from '@/graphql/client'

import { EXAMPLE_TABS } from './examples'

const DEFAULT_QUERY = `# API GraphQL du Portail Organisation
#
# Ctrl+Entrée (ou ▶) exécute l'opération.
# Le schéma est décrit dans « Docs ».
#
# Authentification : la session du
# portail si vous êtes connecté dans ce
# navigateur ; sinon un jeton d'API, à
# coller dans l'onglet « Headers » :
#   {"Authorization": "Bearer <jeton>"}
#
# Exemples, à décommenter (Ctrl+/) :
#
# query MonCompte {
#   viewer {
#     user { firstName lastName email }
#     memberships(first: 10) {
#       totalCount
#       edges {
#         node {
#           structure { identifier name }
#           isPrincipalManager
#         }
#       }
#     }
#   }
# }
#
# query Structures {
#   structures(search: "mairie", first: 10) {
#     totalCount
#     edges {
#       node { id identifier name city }
#     }
#   }
# }

query Referentiels {
  applications { code name domain }
  profiles { name level }
  ticketCategories {
    name
    subcategories { name isBusiness }
  }
}
`

const fetcher: GraphiQLProps['fetcher'] = async (params, options) => {
  const response = await fetch(GRAPHQL_ENDPOINT, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
      'X-Requested-With': 'portail',
      ...(options?.headers ?? {}),
    },
    body: JSON.stringify(params),
  })
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    return { errors: [{ message: `Réponse inattendue du serveur (HTTP ${response.status}).` }] }
  }
}

const container = document.getElementById('graphiql')
if (!container) throw new Error('#graphiql manquant')

/**
 * GraphiQL's CodeMirror editors type into unlabelled hidden textareas and
 * scroll in regions that the keyboard cannot reach: name the textareas and
 * make the scrolling regions focusable, whenever GraphiQL (re)creates them.
 */
function label(editor: Element | null | undefined, text: string) {
  const textarea = editor?.querySelector('.CodeMirror textarea')
  if (textarea && !textarea.hasAttribute('aria-label')) textarea.setAttribute('aria-label', text)
}

function labelEditors(root: HTMLElement) {
  label(root.querySelector('.graphiql-query-editor'), 'Opération GraphQL')
  // The variables editor, then the headers editor (GraphiQL's order).
  const [variables, headers] = root.querySelectorAll('.graphiql-editor-tool .graphiql-editor')
  label(variables, 'Variables (JSON)')
  label(headers, 'En-têtes HTTP (JSON)')
  label(root.querySelector('.graphiql-response'), 'Résultat de l’opération')
  // CodeMirror gives them tabindex="-1": reachable by script only.
  root.querySelectorAll<HTMLElement>('.CodeMirror-scroll').forEach((region) => {
    if (region.tabIndex < 0) region.tabIndex = 0
  })
  labelTabs(root)
}

/**
 * With more than one tab, GraphiQL shows a `tablist` whose `tab`s hold two
 * buttons (select, close): interactive controls nested in a tab. Make it a
 * toolbar of buttons instead (the list also holds the "add tab" button), the
 * selected tab's button marked `aria-current`.
 */
function labelTabs(root: HTMLElement) {
  root.querySelectorAll('.graphiql-tabs').forEach((list) => {
    if (list.getAttribute('role') !== 'toolbar') list.setAttribute('role', 'toolbar')
    const label = 'Onglets des opérations'
    if (list.getAttribute('aria-label') !== label) list.setAttribute('aria-label', label)
  })
  root.querySelectorAll('.graphiql-tab').forEach((tab) => {
    if (tab.getAttribute('role') !== 'none') tab.setAttribute('role', 'none')
    if (tab.hasAttribute('aria-selected')) tab.removeAttribute('aria-selected')
    const select = tab.querySelector('.graphiql-tab-button')
    const name = select?.textContent?.trim() || 'sans nom'
    const active = tab.classList.contains('graphiql-tab-active')
    if (select && (select.getAttribute('aria-current') === 'true') !== active) {
      if (active) select.setAttribute('aria-current', 'true')
      else select.removeAttribute('aria-current')
    }
    const close = tab.querySelector('.graphiql-tab-close')
    const label = `Fermer l’onglet ${name}`
    if (close && close.getAttribute('aria-label') !== label) close.setAttribute('aria-label', label)
  })
}

// Synchronously, in the observer's microtask: before the browser paints or
// anything (a screen reader, a test) can look at the new editors.
new MutationObserver(() => {
  labelEditors(container)
}).observe(container, {
  childList: true,
  subtree: true,
  characterData: true, // a tab's name follows its operation's name
  attributes: true,
  attributeFilter: ['role', 'aria-selected', 'class'],
})

createRoot(container).render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery: DEFAULT_QUERY,
    defaultTabs: EXAMPLE_TABS,
    defaultHeaders: '{}',
    defaultEditorToolsVisibility: 'headers',
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    visiblePlugin: DOC_EXPLORER_PLUGIN,
  }),
)
