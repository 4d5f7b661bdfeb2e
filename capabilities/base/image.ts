import { defineCapability } from '../define.ts';
import { arr, enumOf, int, obj, okResult, str } from '../schemas.ts';

const tempPath = str('A host temporary file, valid while the mini-app runs.', 256, { pattern: '^lilyfile://tmp/[A-Za-z0-9_.-]{1,200}$' });
const source = enumOf(['album', 'camera'] as const, 'Where the picture comes from.');

/** `base.image`: pick and preview images. */
export default defineCapability({
  id: 'base.image',
  title: 'Images',
  titleZh: '图片',
  description: 'Pick images from the album or camera, and preview images full screen.',
  side: 'host',
  rateTier: 'standard',
  methods: {
    chooseImage: {
      summary: 'Let the user pick up to 9 images; returns host temporary files.',
      params: obj(
        {
          count: int('Most images to pick (default 9).', 1, 9),
          sourceType: { ...arr(source, 2, 'Allowed sources (default both).'), minItems: 1, uniqueItems: true },
          sizeType: enumOf(['original', 'compressed'] as const, 'compressed (default) re-encodes to at most 1080 px.'),
        },
        [],
      ),
      result: obj(
        {
          images: arr(
            obj(
              {
                tempFilePath: tempPath,
                size: int('File size in bytes.', 1, 50 * 1024 * 1024),
                width: int('Width in pixels.', 1, 20000),
                height: int('Height in pixels.', 1, 20000),
                type: enumOf(['image/jpeg', 'image/png', 'image/webp'] as const, 'Media type.'),
              },
              ['tempFilePath', 'size', 'width', 'height', 'type'],
              'One picked image.',
            ),
            9,
            'The picked images, in the order picked.',
          ),
        },
        ['images'],
      ),
      errors: ['USER_CANCELLED'],
      examples: [
        {
          title: 'One photo for a review',
          params: { count: 1, sourceType: ['album'] },
          result: { images: [{ tempFilePath: 'lilyfile://tmp/3b9f1c.jpg', size: 182331, width: 1080, height: 810, type: 'image/jpeg' }] },
        },
      ],
    },
    previewImage: {
      summary: 'Show images full screen with swipe and zoom.',
      params: obj(
        {
          urls: {
            ...arr(str('A package asset, a temporary file, or an https URL on a manifest domain.', 1024), 20, 'Images to preview, 1 to 20.'),
            minItems: 1,
          },
          current: str('The one to show first (default the first).', 1024),
        },
        ['urls'],
      ),
      result: okResult,
      errors: ['PERMISSION_DENIED'],
      examples: [
        { title: 'Poster gallery', params: { urls: ['assets/poster-1.jpg', 'assets/poster-2.jpg'], current: 'assets/poster-2.jpg' }, result: { ok: true } },
      ],
    },
  },
  openApi: [],
  docs: `# Images

- \`chooseImage\` returns \`lilyfile://tmp/...\` paths the mini-app can show in an \`image\`
  component or preview; they are deleted when the mini-app closes. Only the user's picks reach
  the mini-app, never the album.
- \`previewImage\` shows package assets, temporary files, or https images on a manifest domain;
  any other URL answers \`PERMISSION_DENIED\`.

\`\`\`js
const { images } = await lily.base.image.chooseImage({ count: 3 });
\`\`\`
`,
});
