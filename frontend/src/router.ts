import { nextTick } from 'vue'
import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'

import { DOMAINS, SCREENS, findDomain } from '@/catalogue'
import ComingSoonPage from '@/pages/ComingSoonPage.vue'
import DomainPage from '@/pages/DomainPage.vue'
import HomePage from '@/pages/HomePage.vue'
import InfoPage from '@/pages/InfoPage.vue'
import NotFoundPage from '@/pages/NotFoundPage.vue'
import SearchPage from '@/pages/SearchPage.vue'
import { SCREEN_COMPONENTS } from '@/screens'

export const SERVICE_NAME = 'Portail Organisation'

declare module 'vue-router' {
  interface RouteMeta {
    /** Page title, before « — Portail Organisation ». */
    title?: string
  }
}

const domainCodes = DOMAINS.map((domain) => domain.code).join('|')

const screenRoutes: RouteRecordRaw[] = SCREENS.map((screen) => ({
  path: screen.path,
  name: screen.id,
  component: SCREEN_COMPONENTS[screen.id] ?? ComingSoonPage,
  props: { screenId: screen.id },
  meta: { title: screen.title },
}))

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

router.afterEach((to, from, failure) => {
  if (failure) return
  document.title = documentTitle(to)
  // After an in-app navigation, move the focus to the new page's heading so
  // that keyboard and screen-reader users start reading the new page.
  if (from.matched.length > 0 && to.path !== from.path && !to.hash) {
    void nextTick(() => {
      const heading = document.querySelector<HTMLElement>('#contenu h1')
      if (!heading) return
      heading.setAttribute('tabindex', '-1')
      heading.focus({ preventScroll: true })
    })
  }
})
