import { signToken, verifyToken } from '../../../services/links/signed-token';

const SECRET = 'x'.repeat(48);

describe('signed tokens', () => {
  it('verifies a token for its purpose and returns its claims', () => {
    const token = signToken(SECRET, { purpose: 'file', subject: 'f1', audience: 'p1', ttlMs: 60_000, now: 1_000 });
    const verified = verifyToken(SECRET, token, 'file', 2_000);
    expect(verified).toEqual({
      ok: true,
      claims: expect.objectContaining({ purpose: 'file', subject: 'f1', audience: 'p1', expiresAt: 61_000 }),
    });
  });

  it('gives two tokens for the same grant different ids and texts', () => {
    const a = signToken(SECRET, { purpose: 'file', subject: 'f1', ttlMs: 1_000 });
    const b = signToken(SECRET, { purpose: 'file', subject: 'f1', ttlMs: 1_000 });
    expect(a).not.toBe(b);
  });

  it('refuses an expired token', () => {
    const token = signToken(SECRET, { purpose: 'file', subject: 'f1', ttlMs: 1_000, now: 0 });
    expect(verifyToken(SECRET, token, 'file', 1_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token whose claims were edited', () => {
    const token = signToken(SECRET, { purpose: 'file', subject: 'f1', ttlMs: 60_000 });
    const [v, body, sig] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const edited = Buffer.from(JSON.stringify({ ...claims, subject: 'f2' })).toString('base64url');
    expect(verifyToken(SECRET, `${v}.${edited}.${sig}`, 'file')).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a token signed with another secret', () => {
    const token = signToken('y'.repeat(48), { purpose: 'file', subject: 'f1', ttlMs: 60_000 });
    expect(verifyToken(SECRET, token, 'file')).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a token minted for another purpose', () => {
    const token = signToken(SECRET, { purpose: 'provider-action', subject: 'o1', ttlMs: 60_000 });
    expect(verifyToken(SECRET, token, 'file')).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it.each(['', 'abc', 'v1.a.b.c', 'v2.e30.AAAA', 'v1.!!!.AAAA'])('refuses the malformed token %p', (token) => {
    expect(verifyToken(SECRET, token, 'file')).toEqual({ ok: false, reason: 'malformed' });
  });
});
