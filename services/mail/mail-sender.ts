import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { AppError } from '../errors';
import type { AccessTokenSource } from './oauth-token';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** With angle brackets; we generate it so a retry carries the same one. */
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  headers: Record<string, string>;
  attachments?: MailAttachment[];
}

/** A file sent with a mail (the Cédula's PDF). */
export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

/** The one way out to SMTP (STYLE #3). `send` throws an UPSTREAM AppError on failure. */
export interface MailSender {
  readonly from: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

export interface SmtpOptions {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  /** OAuth2 access token (XOAUTH2) instead of a password. */
  accessToken?: AccessTokenSource;
  from: string;
  /** Loopback test servers speak plain SMTP. */
  ignoreTLS?: boolean;
  maxConnections?: number;
}

/**
 * Sign-in for the pool. A pooled transport ignores `auth` given per message, so the token
 * source goes here: nodemailer asks it each time a connection signs in (each new connection,
 * and once more if the server refuses the token); the source caches and renews the token.
 */
function smtpAuth(options: SmtpOptions): Pick<SMTPPool.Options, 'auth'> {
  const { user, password, accessToken } = options;
  if (accessToken && user) {
    return {
      auth: {
        type: 'OAuth2',
        user,
        // `renew`: the server refused the token it was just given; ask for a new one.
        provisionCallback: (_user, renew, done) => {
          accessToken(renew ? { refresh: true } : undefined).then(
            (token) => done(null, token),
            (error: Error) => done(error),
          );
        },
      },
    };
  }
  return user && password ? { auth: { user, pass: password } } : {};
}

/** nodemailer with a connection pool; the envelope sender is our address so bounces come back to us. */
export class SmtpMailSender implements MailSender {
  readonly from: string;
  private readonly transport: Transporter;

  constructor(options: SmtpOptions) {
    this.from = options.from;
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: options.maxConnections ?? 4,
      // A connection is replaced after 100 messages: servers cap messages per connection
      // (Exim refuses the 1,001st by default), and a refused MAIL would fail that notice.
      maxMessages: 100,
      host: options.host,
      port: options.port,
      secure: options.secure,
      ignoreTLS: options.ignoreTLS ?? false,
      ...smtpAuth(options),
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: { name: 'Mesa de Servicio CJPF', address: this.from },
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        headers: mail.headers,
        ...(mail.attachments?.length ? { attachments: mail.attachments } : {}),
        envelope: { from: this.from, to: mail.to },
      });
    } catch (error) {
      throw new AppError(
        'UPSTREAM',
        `SMTP send failed: ${error instanceof Error ? error.message : String(error)}`,
        'No fue posible enviar el correo; se reintentará.',
        { to: mail.to },
        { cause: error },
      );
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
