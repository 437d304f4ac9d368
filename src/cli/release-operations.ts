/** The GraphQL operations of the release commands (diff, dry runs, staging, pins, flags), typed by codegen. */
import { WaymarkPromoteDryDocument, WaymarkRollbackDryDocument, type CliDiffFragment } from "../client/generated";

export {
  WaymarkDiffDocument as VERSION_DIFF,
  WaymarkVersionNumberDocument as VERSION_BY_NUMBER,
  WaymarkPinDocument as PIN_LIVE,
  WaymarkUnpinDocument as UNPIN_LIVE,
  WaymarkFlagDocument as FLAG_VERSION,
} from "../client/generated";

/** A diff as the CLI reads it. */
export type VersionDiffView = CliDiffFragment;

/** A rollback or promote with its diff, for `--dry-run`. */
export const MOVE_WITH_DIFF = { rollback: WaymarkRollbackDryDocument, promote: WaymarkPromoteDryDocument };
