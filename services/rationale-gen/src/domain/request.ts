import { InvalidArgumentError } from '../errors';
import { RATIONALE_KINDS, type RationaleRequest } from '../types';

/** Request size limits; the server's are configurable (config.ts). */
export interface RequestLimits {
  /** Longest history accepted (providers read only the most recent items). */
  maxHistory: number;
  /** Most similar-user items per base request. */
  maxSimilarItems: number;
  /** Longest parent reason or direction, in characters. */
  maxParentChars: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxHistory: 10_000,
  maxSimilarItems: 1_000,
  maxParentChars: 4_000,
};

/**
 * Check a request at the domain boundary. The leakage rule (DESIGN §1) is
 * enforced here: only a positive request may carry a target, because positive
 * rationales are written for training targets only; base and refine requests
 * feed scoring and must never see the item being predicted.
 */
export function validateRequest(
  req: RationaleRequest,
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
): void {
  if (!RATIONALE_KINDS.includes(req.kind)) {
    throw new InvalidArgumentError(
      `kind must be one of ${RATIONALE_KINDS.join(', ')}, got ${JSON.stringify(String(req.kind)).slice(0, 40)}`,
    );
  }
  if (!Array.isArray(req.history)) throw new InvalidArgumentError('history must be a list');
  if (req.history.length > limits.maxHistory) {
    throw new InvalidArgumentError(
      `history: ${req.history.length} interactions exceeds the limit of ${limits.maxHistory}`,
    );
  }
  req.history.forEach((h, i) => {
    if (!h || !h.item || typeof h.item.id !== 'string' || h.item.id.length === 0) {
      throw new InvalidArgumentError(`history[${i}].item.id is required`);
    }
    if (h.rating !== undefined && !Number.isFinite(h.rating)) {
      throw new InvalidArgumentError(`history[${i}].rating must be a finite number`);
    }
  });
  if (req.kind !== 'positive' && req.target !== undefined) {
    throw new InvalidArgumentError(
      `target must not be set for a ${req.kind} request: positive rationales are for training targets only (leakage rule)`,
    );
  }
  if (req.kind === 'positive') {
    if (!req.target?.id)
      throw new InvalidArgumentError('target is required for a positive request');
    if (req.history.length === 0) {
      throw new InvalidArgumentError('history must not be empty for a positive request');
    }
  }
  if (req.kind === 'positive' && req.similarItems?.length) {
    throw new InvalidArgumentError('similarItems apply to base and refine requests, not positive');
  }
  if ((req.similarItems?.length ?? 0) > limits.maxSimilarItems) {
    throw new InvalidArgumentError(
      `similarItems: ${req.similarItems!.length} items exceeds the limit of ${limits.maxSimilarItems}`,
    );
  }
  if (req.kind === 'refine') {
    if (!req.parent?.trim())
      throw new InvalidArgumentError('parent is required for a refine request');
    if (!req.direction?.trim()) {
      throw new InvalidArgumentError('direction is required for a refine request');
    }
  } else if (req.parent !== undefined || req.direction !== undefined) {
    throw new InvalidArgumentError(
      `parent and direction apply to refine requests only, not ${req.kind}`,
    );
  }
  for (const field of ['parent', 'direction'] as const) {
    const v = req[field];
    if (v !== undefined && v.length > limits.maxParentChars) {
      throw new InvalidArgumentError(
        `${field} must be at most ${limits.maxParentChars} characters, got ${v.length}`,
      );
    }
  }
  if (req.maxTokens !== undefined && (!Number.isInteger(req.maxTokens) || req.maxTokens < 1)) {
    throw new InvalidArgumentError(`maxTokens must be a positive integer, got ${req.maxTokens}`);
  }
}
