// DSFR: core and components (without the IE "legacy" layer), then the utility
// icon classes (fr-icon-*), then vue-dsfr's own component styles. Fonts,
// icons and pictograms are bundled by Vite: nothing comes from a CDN.
import '@gouvfr/dsfr/dist/dsfr.main.min.css'
import '@gouvfr/dsfr/dist/utility/icons/icons.main.min.css'
import '@gouvminint/vue-dsfr/styles'
import './styles.css'

import { createApp } from 'vue'

import App from './App.vue'
import { router } from './router'

createApp(App).use(router).mount('#app')
