/** The postal address of a form (AddressFields), and its conversions to and from the API. */
export interface AddressValues {
  line1: string
  line2: string
  line3: string
  postalCode: string
  city: string
  country: string
}

export const ADDRESS_FIELDS = ['line1', 'line2', 'line3', 'postalCode', 'city', 'country'] as const
export type AddressField = (typeof ADDRESS_FIELDS)[number]

export function emptyAddress(): AddressValues {
  return { line1: '', line2: '', line3: '', postalCode: '', city: '', country: 'FR' }
}

interface AddressLike {
  line1: string
  line2?: string | null
  line3?: string | null
  postalCode: string
  city: string
  country: string
}

export function addressValues(address: AddressLike | null | undefined): AddressValues {
  if (!address) return emptyAddress()
  return {
    line1: address.line1,
    line2: address.line2 ?? '',
    line3: address.line3 ?? '',
    postalCode: address.postalCode,
    city: address.city,
    country: address.country,
  }
}

/** The AddressInput to send (empty complements as null). */
export function addressInput(values: AddressValues) {
  const optional = (value: string) => (value.trim() === '' ? null : value.trim())
  return {
    line1: values.line1.trim(),
    line2: optional(values.line2),
    line3: optional(values.line3),
    postalCode: values.postalCode.trim(),
    city: values.city.trim(),
    country: values.country,
  }
}

/** Local checks before sending: the mandatory fields (the server checks the rest). */
export function missingAddressFields(values: AddressValues): Partial<Record<AddressField, string>> {
  const missing: Partial<Record<AddressField, string>> = {}
  if (!values.line1.trim()) missing.line1 = 'Saisissez l’adresse.'
  if (!values.postalCode.trim()) missing.postalCode = 'Saisissez le code postal.'
  if (!values.city.trim()) missing.city = 'Saisissez la ville.'
  if (!values.country) missing.country = 'Choisissez le pays.'
  return missing
}
