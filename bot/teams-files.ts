import type { Attachment } from 'botbuilder';
import { AttachmentFiles, FILE_LIMITS } from '../services/files/attachment-files';
import { safeContentType, safeFileName } from '../services/files/sanitise';
import type { Logger } from '../services/logger';
import type { AttachmentMeta } from '../services/orders/types';

/** Where Teams keeps files and pasted images (the bot's connector, its media store, OneDrive/SharePoint). */
export const TEAMS_FILE_HOSTS = [
  'smba.trafficmanager.net',
  '.asm.skype.com',
  '.sharepoint.com',
  '.teams.microsoft.com',
];

const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/** A file a chat message carries: its name, declared type and where to fetch it. */
export interface FileRef {
  name: string;
  contentType: string;
  url: string;
  /** Inline images sit behind the bot's own token; shared files carry a pre-authorised link. */
  needsBotToken: boolean;
}

/** The files in an activity's attachments: pasted images (`image/*` with a contentUrl) and uploaded files. */
export function fileRefsOf(attachments: readonly Attachment[] | undefined): FileRef[] {
  const refs: FileRef[] = [];
  for (const [i, a] of (attachments ?? []).entries()) {
    if (a.contentType === FILE_DOWNLOAD_INFO) {
      const content = a.content as { downloadUrl?: unknown; fileType?: unknown } | undefined;
      if (typeof content?.downloadUrl !== 'string') continue;
      refs.push({
        name: safeFileName(a.name, `archivo-${i + 1}`),
        contentType: 'application/octet-stream',
        url: content.downloadUrl,
        needsBotToken: false,
      });
    } else if (a.contentType.startsWith('image/') && typeof a.contentUrl === 'string') {
      const type = safeContentType(a.contentType);
      refs.push({
        name: safeFileName(a.name, `imagen-${i + 1}.${type.split('/')[1] ?? 'img'}`),
        contentType: type,
        url: a.contentUrl,
        needsBotToken: true,
      });
    }
  }
  return refs;
}

const LOOPBACK = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * Whether a file may be fetched from `url`: https to a listed host (`.domain` also matches
 * its subdomains), or, with no list, loopback only (a local emulator). No credentials in
 * the address, no other scheme, no other host: an attachment can never make the service
 * call an address of the sender's choosing.
 */
export function fileHostAllowed(url: string, hosts: readonly string[] | undefined): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  const host = parsed.hostname.toLowerCase();
  if (!hosts) return LOOPBACK(host) && (parsed.protocol === 'http:' || parsed.protocol === 'https:');
  const listed = hosts.some((h) => (h.startsWith('.') ? host.endsWith(h) && host.length > h.length : host === h));
  return listed && (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK(host)));
}

/** What became of the files of one message: kept (stored, with ids) and refused, each with why. */
export interface ReceivedFiles {
  stored: AttachmentMeta[];
  refused: Array<{ name: string; why: string }>;
}

export interface TeamsFilesDeps {
  files: Pick<AttachmentFiles, 'store'>;
  /** TEAMS_FILE_HOSTS, or the default for the deployment (see `fileHostsFor`). */
  hosts: readonly string[] | undefined;
  /** The bot's token for its connector's media; absent (local emulator): none is sent. */
  botToken?: () => Promise<string | undefined>;
  logger: Logger;
  maxBytes?: number;
  maxFiles?: number;
}

/** The hosts files may come from: the setting, else Teams' own with an app id, else loopback only. */
export function fileHostsFor(bot: { appId?: string; fileHosts?: readonly string[] }): readonly string[] | undefined {
  return bot.fileHosts ?? (bot.appId ? TEAMS_FILE_HOSTS : undefined);
}

class TooLarge extends Error {}

/** Reads a response body, giving up as soon as it passes `max` bytes. */
async function readCapped(res: Response, max: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) throw new TooLarge();
  const reader = res.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new TooLarge();
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/**
 * Downloads and stores the files of one chat message under the same rules as mailed files
 * (size and count limits, safe names and types, GridFS), each under an id derived from the
 * activity so a retried activity stores nothing twice. A file from a host not allowed, too
 * large, beyond the count, or that cannot be fetched is refused with the reason people read.
 * Redirects are not followed: a link must point at the file itself.
 */
export async function receiveFiles(
  deps: TeamsFilesDeps,
  activityKey: string,
  refs: readonly FileRef[],
): Promise<ReceivedFiles> {
  const maxBytes = deps.maxBytes ?? FILE_LIMITS.maxBytes;
  const maxFiles = deps.maxFiles ?? FILE_LIMITS.maxFiles;
  const out: ReceivedFiles = { stored: [], refused: [] };
  for (const [i, ref] of refs.entries()) {
    if (out.stored.length >= maxFiles) {
      out.refused.push({ name: ref.name, why: `se reciben hasta ${maxFiles} archivos por mensaje` });
      continue;
    }
    if (!fileHostAllowed(ref.url, deps.hosts)) {
      deps.logger.warn({ activityKey, host: safeHost(ref.url) }, 'file from a host not allowed refused');
      out.refused.push({ name: ref.name, why: 'no proviene de Teams' });
      continue;
    }
    try {
      const token = ref.needsBotToken ? await deps.botToken?.() : undefined;
      const res = await fetch(ref.url, {
        redirect: 'error',
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(60_000),
      });
      if (!res.ok) throw new Error(`download answered ${res.status}`);
      const content = await readCapped(res, maxBytes);
      const contentType = ref.needsBotToken ? ref.contentType : safeContentType(res.headers.get('content-type'));
      out.stored.push(
        await deps.files.store(`teams:${activityKey}#${i}`, { filename: ref.name, contentType, content }),
      );
    } catch (error) {
      if (error instanceof TooLarge) {
        out.refused.push({ name: ref.name, why: `excede ${Math.round(maxBytes / (1024 * 1024))} MB` });
      } else {
        deps.logger.warn({ err: error, activityKey, host: safeHost(ref.url) }, 'file not downloaded');
        out.refused.push({ name: ref.name, why: 'no se pudo descargar; envíalo de nuevo' });
      }
    }
  }
  return out;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host.slice(0, 255);
  } catch {
    return '(not a URL)';
  }
}

/** Whether an attachment is a file or photo the bot takes (as opposed to a card or the message's HTML copy). */
export function isFileAttachment(a: Attachment): boolean {
  return (
    a.contentType === FILE_DOWNLOAD_INFO || (a.contentType.startsWith('image/') && typeof a.contentUrl === 'string')
  );
}
