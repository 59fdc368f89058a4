/**
 * Finding a screen or a domain by name, accent-, case- and punctuation-insensitive.
 */
import { DOMAINS, SCREENS, domainOf, groupName, type PortalDomain, type Screen } from '@/catalogue'

/** « Gérer  une Structure » → « gerer une structure »; ’ and ' are the same. */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’'`´‘]/g, "'")
    .replace(/[^a-z0-9']+/g, ' ')
    .trim()
}

export type SearchResult =
  | { kind: 'screen'; screen: Screen; domain: PortalDomain; context: string; score: number }
  | { kind: 'domain'; domain: PortalDomain; context: string; score: number }

function score(query: string, title: string, extra: string): number {
  const name = normalize(title)
  if (name === query) return 5
  if (name.startsWith(query)) return 4
  if (name.includes(query)) return 3
  const words = query.split(' ')
  if (words.every((word) => name.includes(word))) return 2
  const haystack = `${name} ${normalize(extra)}`
  if (haystack.includes(query) || words.every((word) => haystack.includes(word))) return 1
  return 0
}

/** Screens and domains matching `text`, best first; empty for a blank query. `staff`: the viewer is a
 * platform administrator or a support agent (else the staff-only screens are left out). */
export function search(text: string, staff = false): SearchResult[] {
  const query = normalize(text)
  if (!query) return []
  const results: SearchResult[] = []
  for (const screen of SCREENS) {
    if (screen.staffOnly && !staff) continue
    const domain = domainOf(screen)
    const group = groupName(screen.group)
    const s = score(query, screen.title, [...(screen.keywords ?? []), screen.description].join(' '))
    if (s > 0) results.push({ kind: 'screen', screen, domain, context: `${domain.name} › ${group}`, score: s })
  }
  for (const domain of DOMAINS) {
    const s = score(query, domain.name, domain.description)
    if (s > 0) results.push({ kind: 'domain', domain, context: 'Domaine', score: s })
  }
  // Stable sort: equal scores keep catalogue order.
  return results.sort((a, b) => b.score - a.score)
}
