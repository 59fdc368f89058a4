import { nextTick } from 'vue'
import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'

import { DOMAINS, SCREENS, findDomain } from '@/catalogue'
import { safeReturnPath } from '@/forms'
import ComingSoonPage from '@/pages/ComingSoonPage.vue'
import DomainPage from '@/pages/DomainPage.vue'
import HomePage from '@/pages/HomePage.vue'
import InfoPage from '@/pages/InfoPage.vue'
import NotFoundPage from '@/pages/NotFoundPage.vue'
import SearchPage from '@/pages/SearchPage.vue'
import { ACCOUNT_SECTIONS } from '@/pages/account/sections'
import { SCREEN_COMPONENTS } from '@/screens'
import { isSignedIn, loadSession } from '@/session'

export const SERVICE_NAME = 'Portail Organisation'

declare module 'vue-router' {
  interface RouteMeta {
    /** Page title, before « — Portail Organisation ». */
    title?: string
    /** The page needs a session: without one, /connexion?retour=<path>. */
    requiresAuth?: boolean
    /** Log-in and sign-up pages: with a session, go to `retour` (or Mon compte). */
    anonymousOnly?: boolean
    /** What gets the focus after an in-app navigation (default: the page's h1). */
    focusSelector?: string
  }
}

const domainCodes = DOMAINS.map((domain) => domain.code).join('|')

const screenRoutes: RouteRecordRaw[] = SCREENS.map((screen) => ({
  path: screen.path,
  name: screen.id,
  component: SCREEN_COMPONENTS[screen.id] ?? ComingSoonPage,
  props: { screenId: screen.id },
  // Every screen of the Organisation and Support domains needs a session.
  meta: { title: screen.title, requiresAuth: true },
}))

/** The account pages, served to everyone (connexion, inscription…) or to a signed-in user (Mon compte). */
const accountRoutes: RouteRecordRaw[] = [
  {
    path: '/connexion',
    name: 'connexion',
    component: () => import('@/pages/account/LogInPage.vue'),
    meta: { title: 'Se connecter', anonymousOnly: true },
  },
  {
    path: '/inscription',
    name: 'inscription',
    component: () => import('@/pages/account/SignUpPage.vue'),
    meta: { title: 'Créer un compte', anonymousOnly: true },
  },
  {
    path: '/verifier-email',
    name: 'verifier-email',
    component: () => import('@/pages/account/VerifyEmailPage.vue'),
    meta: { title: 'Vérification de l’adresse électronique' },
  },
  {
    path: '/mot-de-passe-oublie',
    name: 'mot-de-passe-oublie',
    component: () => import('@/pages/account/ForgotPasswordPage.vue'),
    meta: { title: 'Mot de passe oublié' },
  },
  {
    path: '/reinitialiser-mot-de-passe',
    name: 'reinitialiser-mot-de-passe',
    component: () => import('@/pages/account/ResetPasswordPage.vue'),
    meta: { title: 'Réinitialiser le mot de passe' },
  },
  {
    path: '/mon-compte',
    component: () => import('@/pages/account/AccountPage.vue'),
    meta: { requiresAuth: true },
    children: ACCOUNT_SECTIONS.map((section) => ({
      path: section.path,
      name: section.name,
      component: section.component,
      meta: {
        title: section.path === '' ? 'Mon compte' : `${section.title} — Mon compte`,
        requiresAuth: true,
        focusSelector: '#section-compte h2',
      },
    })),
  },
]

const infoRoutes: RouteRecordRaw[] = [
  { path: '/accessibilite', name: 'accessibilite', title: 'Déclaration d’accessibilité' },
  { path: '/mentions-legales', name: 'mentions-legales', title: 'Mentions légales' },
  { path: '/donnees-personnelles', name: 'donnees-personnelles', title: 'Données personnelles' },
  { path: '/cookies', name: 'cookies', title: 'Gestion des cookies' },
].map(({ path, name, title }) => ({
  path,
  name,
  component: InfoPage,
  props: { page: name },
  meta: { title },
}))

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'accueil', component: HomePage, meta: { title: 'Accueil' } },
  {
    path: `/domaines/:code(${domainCodes})`,
    name: 'domaine',
    component: DomainPage,
    props: true,
  },
  { path: '/recherche', name: 'recherche', component: SearchPage, meta: { title: 'Rechercher une application' } },
  ...screenRoutes,
  {
    // One approval of Organisation › Approbations (its page sets the title with the number).
    path: '/organisation/approbations/:id',
    name: 'approbation',
    component: () => import('@/domains/organisation/ApprovalPage.vue'),
    props: true,
    meta: { title: 'Approbation', requiresAuth: true },
  },
  {
    // One ticket of Support (the e-mails link here; its page sets the title with the number).
    path: '/support/tickets/:number',
    name: 'ticket',
    component: () => import('@/domains/support/TicketPage.vue'),
    props: true,
    meta: { title: 'Ticket', requiresAuth: true },
  },
  // The approval e-mails link to /approbations.
  { path: '/approbations', redirect: { name: 'approbations' } },
  ...accountRoutes,
  ...infoRoutes,
  { path: '/:pathMatch(.*)*', name: 'introuvable', component: NotFoundPage, meta: { title: 'Page non trouvée' } },
]

/** « Gérer une structure — Portail Organisation » */
export function documentTitle(route: RouteLocationNormalized): string {
  let title = route.meta.title
  if (route.name === 'domaine') title = findDomain(String(route.params.code))?.name
  return title ? `${title} — ${SERVICE_NAME}` : SERVICE_NAME
}

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior(to, from, savedPosition) {
    if (savedPosition) return savedPosition
    if (to.hash) return { el: to.hash }
    if (to.path !== from.path) return { top: 0 }
    return false
  },
})

router.beforeEach(async (to) => {
  await loadSession()
  if (to.meta.requiresAuth && !isSignedIn()) {
    return { name: 'connexion', query: { retour: to.fullPath } }
  }
  if (to.meta.anonymousOnly && isSignedIn()) {
    return safeReturnPath(to.query.retour) ?? { name: 'mon-compte' }
  }
  return true
})

router.afterEach((to, from, failure) => {
  if (failure) return
  document.title = documentTitle(to)
  // After an in-app navigation, move the focus to the new page's heading so
  // that keyboard and screen-reader users start reading the new page.
  if (from.matched.length > 0 && to.path !== from.path && !to.hash) {
    // Within Mon compte, the section's heading (the page's h1 stays the same).
    const samePage = to.meta.focusSelector !== undefined && to.matched[0]?.path === from.matched[0]?.path
    const selector = samePage && to.meta.focusSelector ? to.meta.focusSelector : '#contenu h1'
    void nextTick(() => {
      const heading = document.querySelector<HTMLElement>(selector)
      if (!heading) return
      heading.setAttribute('tabindex', '-1')
      heading.focus({ preventScroll: true })
    })
  }
})
