/**
 * The marketplace for bank-app users: live apps by category, and search.
 */
import { Router } from 'express';
import type { AppService } from '../apps/apps.ts';

/** Category ids and their labels (Chinese first: the host app is Chinese by default). */
export const APP_CATEGORIES = [
  { id: 'travel', title: 'Travel', titleZh: '出行' },
  { id: 'tickets', title: 'Tickets', titleZh: '票务' },
  { id: 'hotel', title: 'Hotels', titleZh: '酒店' },
  { id: 'food', title: 'Food', titleZh: '美食' },
  { id: 'shopping', title: 'Shopping', titleZh: '购物' },
  { id: 'finance', title: 'Finance', titleZh: '金融' },
  { id: 'life', title: 'Life', titleZh: '生活' },
  { id: 'tools', title: 'Tools', titleZh: '工具' },
  { id: 'other', title: 'Other', titleZh: '其他' },
] as const;

/** `GET /api/marketplace/apps?category=&q=` and `GET /api/marketplace/categories`. */
export function marketplaceRoutes(deps: { apps: AppService }): Router {
  const router = Router();
  router.get('/marketplace/categories', (_req, res) => {
    res.json({ categories: APP_CATEGORIES });
  });
  router.get('/marketplace/apps', async (req, res) => {
    const category = typeof req.query.category === 'string' && req.query.category ? req.query.category.slice(0, 20) : undefined;
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : undefined;
    const apps = await deps.apps.marketplace({ ...(category ? { category } : {}), ...(q ? { q } : {}) });
    res.json({
      apps: apps.map((a) => ({
        appId: a._id,
        name: a.name,
        description: a.description,
        category: a.category,
        icon: a.icon,
        version: a.releases.production?.version ?? null,
      })),
    });
  });
  return router;
}
