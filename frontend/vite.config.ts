import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// The backend (Starlette) serves `dist/index.html` for the SPA routes,
// `dist/graphiql.html` on GET /graphql from a browser, and `dist/assets/*`.
// Everything is bundled: nothing is fetched from a CDN at run time.
export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: [
      { find: '@', replacement: fileURLToPath(new URL('./src', import.meta.url)) },
      // vue-dsfr's VIcon uses Iconify, whose default build downloads icons from
      // api.iconify.design. The offline build only renders icons registered with
      // addIcon/addCollection. Use DSFR `fr-icon-*` classes instead.
      { find: /^@iconify\/vue$/, replacement: '@iconify/vue/offline' },
    ],
  },
  css: {
    // DSFR still carries old IE hacks that lightningcss refuses.
    lightningcss: { errorRecovery: true },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // SVGs stay files: DSFR pictograms are used through <use href="…#id">
    // (not allowed on data: URLs) and the icon CSS then loads only the icons
    // a page shows.
    assetsInlineLimit: (filePath) => (filePath.endsWith('.svg') ? false : undefined),
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        graphiql: fileURLToPath(new URL('./graphiql.html', import.meta.url)),
      },
      onwarn(warning, defaultHandler) {
        // GraphiQL's Radix UI modules start with "use client" (React Server
        // Components), meaningless in this client-only bundle.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return
        defaultHandler(warning)
      },
    },
  },
  server: {
    port: 5173,
    // `npm run dev` next to the backend on :8000 (`portail serve`): the API
    // goes to the backend. Add here the backend's other routes (downloads,
    // exports) when a screen needs them.
    proxy: {
      // ws: live updates (GraphQL subscriptions over WebSocket) go through too.
      '/graphql': { target: 'http://127.0.0.1:8000', ws: true },
    },
  },
})
