/**
 * The host app's entry: Pinia, the router of the four faces, the global styles.
 */
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createHostRouter } from './router.ts';
import './styles/base.css';

const app = createApp(App);
app.use(createPinia());
app.use(createHostRouter());
app.mount('#app');
