/**
 * Rewrites of aggregation stages where mingo 7.2 differs from MongoDB, expressed with stages
 * mingo gets right: `$count` over no input yields no document, and `$bucket` boundaries are
 * lower-inclusive, upper-exclusive with the default bucket last.
 */
import { Document } from 'bson';
import { CommandError, ErrorCodes } from './errors';
import { isPlainObject } from './matcher-util';

/** Returns the pipeline with `$count` and `$bucket` stages replaced by equivalents. */
export function rewritePipeline(pipeline: Document[]): Document[] {
  return pipeline.flatMap((stage) => {
    if (!isPlainObject(stage)) return [stage];
    if ('$count' in stage) return countStages(stage.$count);
    if ('$bucket' in stage) return bucketStages(stage.$bucket);
    return [stage];
  });
}

function countStages(name: unknown): Document[] {
  if (typeof name !== 'string' || name.length === 0 || name.startsWith('$') || name.includes('.')) {
    throw new CommandError(
      ErrorCodes.BadValue,
      'the count field must be a non-empty string that does not start with $ or contain .',
    );
  }
  return [{ $group: { _id: null, [name]: { $sum: 1 } } }, { $project: { _id: 0, [name]: 1 } }];
}

function bucketStages(spec: unknown): Document[] {
  if (!isPlainObject(spec) || !Array.isArray(spec.boundaries) || spec.boundaries.length < 2) {
    throw new CommandError(40192, "The $bucket 'boundaries' field must be an array of at least 2 values");
  }
  const bounds = spec.boundaries as unknown[];
  const groupBy = spec.groupBy;
  const branches = bounds.slice(0, -1).map((lo, i) => ({
    case: { $and: [{ $gte: [groupBy, lo] }, { $lt: [groupBy, bounds[i + 1]] }] },
    then: i,
  }));
  const hasDefault = spec.default !== undefined;
  const sw: Document = { branches };
  if (hasDefault) sw.default = bounds.length - 1;
  const output = isPlainObject(spec.output) ? spec.output : { count: { $sum: 1 } };
  const labels = [...bounds.slice(0, -1), ...(hasDefault ? [spec.default] : [])];
  return [
    { $group: { _id: { $switch: sw }, ...output } },
    { $sort: { _id: 1 } },
    { $set: { _id: { $arrayElemAt: [{ $literal: labels }, '$_id'] } } },
  ];
}
