import type { AssetOrders } from '../assets/asset-orders';
import type { AssetReader } from '../assets/asset-store';
import type { DirectoryReader } from '../directory/directory-store';
import type { AnalystRouting } from '../notifications/analyst-routing';
import type { WorkflowPolicy } from '../workflow';
import type { OrderStore } from './order-store';
import type { FileLinker } from '../files/file-links';
import type { SlaSummary } from '../reports/order-figures';
import type { ServiceOrder } from './types';

/**
 * The SLA summary of an order as a change leaves it (the change's history entry included):
 * the figures of a closed or cancelled order, `null` for any other status.
 */
export type SlaSummariser = (order: ServiceOrder, now: Date) => Promise<SlaSummary | null>;

/**
 * What every edge (the bot, the mail intake) hands the order use cases: the stores and the
 * rules configuration chose. The composition root builds ONE of these and gives the same
 * object to every edge, so a Teams report and a mailed one are decided and routed alike in
 * every start mode.
 */
export interface OrderServices {
  orders: OrderStore;
  directory: DirectoryReader;
  /** ONSITE_REQUIRES_VALIDATION. */
  policy: WorkflowPolicy;
  /** ANALYST_ROUTING. */
  analystRouting: AnalystRouting;
  /** TZ_DEFAULT: folio years, dates on cards. */
  timeZone: string;
  now?: () => Date;
  /**
   * The equipment register: intake links the asset an inventory number names (and its
   * contract), corrections look a new number up. Without it numbers are kept as text.
   */
  assets?: AssetReader;
  /** Each asset's orders, for the repeat-failure flag; without it nothing is flagged. */
  assetOrders?: AssetOrders;
  /** INVENTORY_PATTERN: how inventory numbers are found in a report's text. */
  inventoryPattern?: RegExp;
  /** Signs links to an order's stored files (cards, mails); absent: files are named without links. */
  fileLink?: FileLinker;
  /** Measures the SLA summary stored with a closure or cancellation; absent: the report measures from history. */
  slaSummary?: SlaSummariser;
}
