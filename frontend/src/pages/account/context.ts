/** What « Mon compte » (AccountPage) gives its sections: the account, loaded once, and a way to reload it. */
import { inject, type InjectionKey, type Ref } from 'vue'

import type { AccountViewerQuery } from '@/graphql/generated'

export type Account = NonNullable<AccountViewerQuery['viewer']>

export interface AccountContext {
  account: Readonly<Ref<Account | null>>
  reload: () => Promise<void>
}

export const ACCOUNT_CONTEXT: InjectionKey<AccountContext> = Symbol('account')

export function useAccount(): AccountContext {
  const context = inject(ACCOUNT_CONTEXT)
  if (!context) throw new Error('useAccount() hors de la page Mon compte')
  return context
}
