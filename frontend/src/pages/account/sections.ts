/** The sections of « Mon compte »: one child route each, listed in its side menu. */
import type { RouteComponent } from 'vue-router'

export interface AccountSection {
  /** Relative to /mon-compte. */
  path: string
  name: string
  title: string
  component: () => Promise<RouteComponent | { default: RouteComponent }>
}

export const ACCOUNT_SECTIONS: readonly AccountSection[] = [
  {
    path: '',
    name: 'mon-compte',
    title: 'Profil',
    component: () => import('./ProfileSection.vue'),
  },
  {
    path: 'mot-de-passe',
    name: 'mon-compte-mot-de-passe',
    title: 'Mot de passe',
    component: () => import('./PasswordSection.vue'),
  },
  {
    path: 'sessions',
    name: 'mon-compte-sessions',
    title: 'Sessions',
    component: () => import('./SessionsSection.vue'),
  },
  {
    path: 'jetons-api',
    name: 'mon-compte-jetons-api',
    title: 'Jetons d’API',
    component: () => import('./ApiTokensSection.vue'),
  },
  {
    path: 'double-authentification',
    name: 'mon-compte-double-authentification',
    title: 'Double authentification',
    component: () => import('./TwoFactorSection.vue'),
  },
  {
    path: 'desactiver',
    name: 'mon-compte-desactiver',
    title: 'Désactiver mon compte',
    component: () => import('./DeactivateSection.vue'),
  },
]
