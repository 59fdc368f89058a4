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

export const SCREEN_COMPONENTS: Readonly<Record<string, LazyComponent>> = {}
