/**
 * The routes of the four faces. Each face is its own chunk, loaded when first visited:
 * the bank-app shell (`/`), the merchant portal (`/merchant`), the ops console (`/ops`) and the
 * developer center (`/developers`). The server answers `index.html` for all of them
 * (`server/static.ts`).
 */
import { createRouter, createWebHistory, type RouteRecordRaw, type Router } from 'vue-router';

/** The route table. */
export const routes: RouteRecordRaw[] = [
  {
    path: '/',
    component: () => import('./pages/shell/ShellLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./pages/shell/HomePage.vue') },
      { path: 'me', name: 'me', component: () => import('./pages/shell/MyPage.vue') },
      { path: 'apps/:appId', name: 'miniapp', component: () => import('./pages/shell/MiniAppPage.vue'), props: true },
      { path: 'login', name: 'login', component: () => import('./pages/shell/LoginPage.vue') },
    ],
  },
  {
    path: '/merchant',
    component: () => import('./pages/merchant/MerchantLayout.vue'),
    children: [
      { path: '', name: 'merchant', component: () => import('./pages/merchant/MerchantHome.vue') },
      { path: 'apps/:appId', name: 'merchant-app', component: () => import('./pages/merchant/MerchantAppPage.vue'), props: true },
      { path: 'apps/:appId/stats', name: 'merchant-stats', component: () => import('./pages/merchant/MerchantStatsPage.vue'), props: true },
      { path: 'apps/:appId/webhooks', name: 'merchant-webhooks', component: () => import('./pages/merchant/MerchantWebhooksPage.vue'), props: true },
      { path: 'signature', name: 'merchant-signature', component: () => import('./pages/merchant/SignaturePage.vue') },
    ],
  },
  {
    path: '/ops',
    component: () => import('./pages/ops/OpsLayout.vue'),
    children: [
      { path: '', name: 'ops', component: () => import('./pages/ops/DashboardPage.vue') },
      { path: 'admission', name: 'ops-admission', component: () => import('./pages/ops/AdmissionPage.vue') },
      { path: 'reviews', name: 'ops-reviews', component: () => import('./pages/ops/ReviewsPage.vue') },
      { path: 'applications', name: 'ops-applications', component: () => import('./pages/ops/ApplicationsPage.vue') },
      { path: 'apps', name: 'ops-apps', component: () => import('./pages/ops/AppsPage.vue') },
      { path: 'audit', name: 'ops-audit', component: () => import('./pages/ops/AuditPage.vue') },
      { path: 'support', name: 'ops-support', component: () => import('./pages/ops/SupportPage.vue') },
    ],
  },
  {
    path: '/developers',
    component: () => import('./pages/developers/DevelopersLayout.vue'),
    children: [
      { path: '', name: 'developers', component: () => import('./pages/developers/CatalogPage.vue') },
      { path: 'capabilities/:id', name: 'capability', component: () => import('./pages/developers/CapabilityPage.vue'), props: true },
      { path: 'openapi', name: 'openapi', component: () => import('./pages/developers/OpenApiPage.vue') },
      { path: 'signing', name: 'signing', component: () => import('./pages/developers/SigningPage.vue') },
      { path: 'quickstart', name: 'quickstart', component: () => import('./pages/developers/QuickStartPage.vue') },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
];

/** The router (HTML5 history: the server falls back to `index.html`). */
export function createHostRouter(): Router {
  return createRouter({
    history: createWebHistory(),
    routes,
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  });
}
