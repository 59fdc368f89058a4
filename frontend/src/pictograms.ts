/** DSFR pictograms, bundled as files (used through <use href="…#artwork-major">). */
import type { PictogramKey } from '@/catalogue'
import application from '@gouvfr/dsfr/dist/artwork/pictograms/digital/application.svg?url'
import internet from '@gouvfr/dsfr/dist/artwork/pictograms/digital/internet.svg?url'
import cityHall from '@gouvfr/dsfr/dist/artwork/pictograms/buildings/city-hall.svg?url'
import contract from '@gouvfr/dsfr/dist/artwork/pictograms/document/contract.svg?url'
import documentAdd from '@gouvfr/dsfr/dist/artwork/pictograms/document/document-add.svg?url'
import humanCooperation from '@gouvfr/dsfr/dist/artwork/pictograms/environment/human-cooperation.svg?url'
import money from '@gouvfr/dsfr/dist/artwork/pictograms/institutions/money.svg?url'

export const PICTOGRAMS: Record<PictogramKey, string> = {
  contract,
  'document-add': documentAdd,
  money,
  'city-hall': cityHall,
  internet,
  application,
  'human-cooperation': humanCooperation,
}
