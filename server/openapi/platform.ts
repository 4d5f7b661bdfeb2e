/**
 * Open API routes of the platform itself (not of a capability): what `lily publish` and a
 * merchant's CI use to upload a version and follow its review, signed with the app's key.
 */
import { LilyError } from '../../protocol/errors.ts';
import { utf8 } from '../../runtime/crypto/sm.ts';
import { MAX_PACKAGE_FILE_BYTES } from '../../runtime/package/format.ts';
import type { AppService } from '../apps/apps.ts';
import { publicVersion } from '../versions/routes.ts';
import { versionId, type VersionService } from '../versions/versions.ts';
import type { OpenApi } from './openapi.ts';

const appIdParam = { type: 'string', minLength: 3, maxLength: 64, description: 'The app id (must be the signing app).' } as const;

/**
 * Registers `POST /open/v1/apps/{appId}/versions` (upload a package: the body is the package
 * file's JSON) and `GET /open/v1/apps/{appId}/versions/{version}` (review status and report).
 */
export function registerPlatformRoutes(openApi: OpenApi, deps: { versions: VersionService; apps: AppService }): void {
  openApi.route({
    method: 'POST',
    path: '/open/v1/apps/{appId}/versions',
    operationId: 'uploadVersion',
    summary: 'Upload a mini-app package (from `lily pack`); it is reviewed automatically and released to sandbox testers.',
    params: { type: 'object', additionalProperties: false, required: ['appId'], properties: { appId: appIdParam } },
    body: { type: 'object', description: 'The package file (format lily-package/1).' },
    bodyLimit: MAX_PACKAGE_FILE_BYTES,
    tier: 'standard',
    handler: async (ctx, { params, body }) => {
      if (ctx.env !== 'sandbox') throw new LilyError('FORBIDDEN', 'Upload versions with the sandbox key; production follows ops approval.');
      const app = await deps.apps.get(String(params.appId));
      const doc = await deps.versions.upload(app._id, utf8(JSON.stringify(body)), { kind: 'app', id: app._id });
      return publicVersion(doc);
    },
  });

  openApi.route({
    method: 'GET',
    path: '/open/v1/apps/{appId}/versions/{version}',
    operationId: 'getVersion',
    summary: 'Read a version: its review status, automated report and the ops decision.',
    params: {
      type: 'object',
      additionalProperties: false,
      required: ['appId', 'version'],
      properties: { appId: appIdParam, version: { type: 'string', minLength: 5, maxLength: 64, description: 'Semantic version.' } },
    },
    tier: 'light',
    handler: async (_ctx, { params }) => publicVersion(await deps.versions.get(versionId(String(params.appId), String(params.version)))),
  });
}
