/** Test fixture: the message with which parseOrgUrl refuses a URL. Not used at run time. */
import { isSyncError } from '../../shared/errors.ts';
import { parseOrgUrl, type OrgUrlOptions } from './org-url.ts';

/** The ORG_URL_INVALID message for `input`; any other error is rethrown, and an accepted URL fails the test. */
export function orgUrlRefusal(input: string, options: OrgUrlOptions = {}): string {
  try {
    parseOrgUrl(input, options);
  } catch (err) {
    if (isSyncError(err, 'ORG_URL_INVALID')) return err.message;
    throw err;
  }
  throw new Error(`accepted ${input}`);
}
