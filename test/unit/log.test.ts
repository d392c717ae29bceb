/**
 * The logger keeps secrets out of its lines: keys are redacted, and Discord interaction / webhook
 * tokens in URL paths are masked wherever they are (an error's url, message, stack, cause; the
 * message; any field), while request and response payloads of a failed HTTP call are dropped.
 */
import { DiscordAPIError, HTTPError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { maskUrlTokens, serializeErr } from '../../src/log.js';
import { captureLog } from '../helpers/log-capture.js';

const TOKEN = 'aW50ZXJhY3Rpb246MTIzNDpTRUNSRVRUT0tFTg';
const HOOK_TOKEN = 'Xy_9-hookSECRETtoken.part';
const API = 'https://discord.com/api/v10';
const callbackUrl = `${API}/interactions/1234/${TOKEN}/callback`;
const webhookUrl = `${API}/webhooks/1180000000000000001/${HOOK_TOKEN}/messages/@original?wait=true`;

function apiError(url = callbackUrl): DiscordAPIError {
  return new DiscordAPIError({ message: 'Unknown interaction', code: 10062 }, 10062, 404, 'POST', url, {
    body: { type: 5, data: { content: 'private chat text' } },
  });
}

describe('log masking', () => {
  it('masks interaction and webhook tokens in URL paths, nothing else', () => {
    expect(
      maskUrlTokens(
        '"response_url":"https://hooks.slack.com/commands/T0001/1234567890/AbCdEfGhIjKlMnOpQrStUvWx"',
      ),
    ).toBe('"response_url":"https://hooks.slack.com/commands/T0001/1234567890/***"');
    expect(maskUrlTokens('https://hooks.slack.com/actions/T0001/99/sEcReT?x=1')).toBe(
      'https://hooks.slack.com/actions/T0001/99/***?x=1',
    );
    expect(maskUrlTokens(callbackUrl)).toBe(`${API}/interactions/1234/***/callback`);
    expect(maskUrlTokens(webhookUrl)).toBe(
      `${API}/webhooks/1180000000000000001/***/messages/@original?wait=true`,
    );
    expect(maskUrlTokens(`POST /webhooks/1/${HOOK_TOKEN} and /interactions/2/${TOKEN}`)).toBe(
      'POST /webhooks/1/*** and /interactions/2/***',
    );
    expect(maskUrlTokens(`"url":"${callbackUrl}","x":1}`)).toBe(
      `"url":"${API}/interactions/1234/***/callback","x":1}`,
    );
    const other = `${API}/channels/1180000000000000200/messages/1180000000000000201`;
    expect(maskUrlTokens(other)).toBe(other);
  });

  it('a DiscordAPIError logged at error level carries no token and no payload', () => {
    const { log, text, lines } = captureLog();
    const err = apiError();
    log.error({ err, interaction: '1234' }, 'Discord interaction failed');
    log.error(err);
    log.child({ name: 'discord' }).warn({ err: apiError(webhookUrl) }, 'late acknowledgement failed');
    expect(text()).not.toContain(TOKEN);
    expect(text()).not.toContain(HOOK_TOKEN);
    expect(text()).not.toContain('private chat text');
    const [first, second] = lines();
    expect(first).toMatchObject({
      level: 50,
      msg: 'Discord interaction failed',
      err: {
        type: 'DiscordAPIError',
        message: 'Unknown interaction',
        url: `${API}/interactions/1234/***/callback`,
        method: 'POST',
        status: 404,
        code: 10062,
        requestBody: '[dropped]',
        rawError: '[dropped]',
      },
    });
    expect(second).toMatchObject({
      msg: 'Unknown interaction',
      err: { url: `${API}/interactions/1234/***/callback` },
    });
    // The error itself is untouched: whoever else holds it still has its url.
    expect(err.url).toBe(callbackUrl);
  });

  it('masks tokens in message, stack and cause, however the error got them', () => {
    const { log, text, lines } = captureLog();
    const http = new HTTPError(500, 'Internal Server Error', 'POST', webhookUrl, { body: { content: 'x' } });
    const wrapped = new Error(`chat request failed: POST ${callbackUrl}`, { cause: http });
    log.error({ err: wrapped }, 'chat request failed');
    // An enumerable, not error-like cause is copied as data (an Error's own `cause` is not enumerable).
    log.error(
      { err: Object.assign(new Error('outer'), { cause: { url: callbackUrl, requestBody: { t: TOKEN } } }) },
      'x',
    );
    log.warn({ err: `request to ${callbackUrl} failed` }, 'string err');
    log.warn({ url: webhookUrl }, `interpolated ${callbackUrl}`);
    const all = text();
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(HOOK_TOKEN);
    const [a, b, c, d] = lines() as Array<Record<string, Record<string, unknown>>>;
    expect(String(a!.err!.message)).toContain('/interactions/1234/***/callback');
    expect(String(a!.err!.stack)).toContain('caused by: HTTPError');
    expect(String(a!.err!.stack)).toContain('/interactions/1234/***/callback');
    expect(b!.err!.cause).toEqual({ url: `${API}/interactions/1234/***/callback`, requestBody: '[dropped]' });
    expect(c!.err).toBe(`request to ${API}/interactions/1234/***/callback failed`);
    expect(d!.msg).toBe(`interpolated ${API}/interactions/1234/***/callback`);
  });

  it('keeps the key-based redaction', () => {
    const { log, text } = captureLog();
    log.info({ token: 'tok-1', slack: { botToken: 'xoxb-2' }, job: { secret: 's-3' } }, 'settings');
    expect(text()).not.toMatch(/tok-1|xoxb-2|s-3/);
    expect(text()).toContain('[redacted]');
  });

  it('serializes non-errors as they are, strings masked', () => {
    expect(serializeErr(undefined)).toBeUndefined();
    expect(serializeErr(42)).toBe(42);
    expect(serializeErr(`GET /webhooks/9/${HOOK_TOKEN}`)).toBe('GET /webhooks/9/***');
    const data: Record<string, unknown> = { url: `/interactions/1/${TOKEN}` };
    data.back = data;
    expect(serializeErr({ message: 'loop', data })).toMatchObject({
      message: 'loop',
      data: { url: '/interactions/1/***', back: '[…]' },
    });
    const shared = { n: 1 };
    const inner = new Error(`GET /webhooks/9/${HOOK_TOKEN}`);
    expect(serializeErr({ message: 'm', a: shared, b: shared, list: [{ e: inner }] })).toMatchObject({
      a: { n: 1 },
      b: { n: 1 },
      list: [{ e: { type: 'Error', message: 'GET /webhooks/9/***' } }],
    });
  });
});

describe('logger names', () => {
  it('writes one name per line: the innermost child name replaces the outer ones', () => {
    const { log, text } = captureLog();
    log.child({ name: 'relay' }).info('a');
    log.child({ name: 'chat' }).child({ job_id: 'j-1' }).child({ name: 'chat-console' }).info('b');
    log.info('c');
    const [a, b, c] = text().split('\n');
    expect(a!.match(/"name":/g)).toHaveLength(1);
    expect(a).toContain('"name":"relay"');
    expect(b!.match(/"name":/g)).toHaveLength(1);
    expect(b).toContain('"name":"chat-console"');
    expect(b).toContain('"job_id":"j-1"');
    expect(c).toContain('"name":"hermes"');
  });
});
