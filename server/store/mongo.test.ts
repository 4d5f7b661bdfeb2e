import { describe, expect, it } from 'vitest';
import { mapError, openMongoStore } from './mongo.ts';
import { DuplicateKeyError, StoreOpenError } from './types.ts';

describe('MongoDB backend (without a server)', () => {
  it('maps duplicate-key errors, single and bulk, and passes others through', () => {
    const single = mapError({ code: 11000, message: 'E11000 duplicate key error collection: db.users index: email_1 dup key: { email: "a" }' }, 'users');
    expect(single).toBeInstanceOf(DuplicateKeyError);
    expect(single).toMatchObject({ collection: 'users', index: 'email_1', code: 11000 });
    const bulk = mapError({ code: 11000, message: 'x', writeErrors: [{ errmsg: 'E11000 duplicate key error collection: db.m index: org_1_user_1 dup key' }] }, 'm');
    expect(bulk).toMatchObject({ index: 'org_1_user_1' });
    const one = mapError({ code: 11000, message: 'x', writeErrors: { errmsg: 'E11000 ... index: _id_ dup key' } }, 'm');
    expect(one).toMatchObject({ index: '_id_' });
    const conflict = { code: 112, message: 'WriteConflict' };
    expect(mapError(conflict, 'm')).toBe(conflict);
  });

  it('fails to open with a one-line StoreOpenError that hides credentials', async () => {
    const err = await openMongoStore({ uri: 'mongodb://lily:secret@127.0.0.1:1/lily?serverSelectionTimeoutMS=200' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreOpenError);
    expect((err as Error).message).toMatch(/^Cannot use MongoDB at mongodb:\/\/\*\*\*@127\.0\.0\.1:1/);
    expect((err as Error).message).not.toContain('secret');
    expect((err as Error).message).not.toContain('\n');
    await expect(openMongoStore({ uri: 'http://not-mongo' })).rejects.toBeInstanceOf(StoreOpenError);
  });
});
