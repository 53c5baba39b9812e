//! Range scans, pagination and rich-query execution over committed keys (pure functions, no locking).

use std::collections::BTreeMap;
use std::ops::Bound;

use gridledger_shim::{Error, Result};

use super::ledger::Entry;
use super::rich::RichQuery;

/// Keys in `[start, end)` in key (byte) order; an empty `end` is unbounded, and `start >= end` is empty (LevelDB).
pub(super) fn range<'a>(
    entries: &'a BTreeMap<String, Entry>,
    start: &str,
    end: &str,
) -> Box<dyn Iterator<Item = (&'a String, &'a Entry)> + 'a> {
    let upper = if end.is_empty() { Bound::Unbounded } else { Bound::Excluded(end) };
    if !end.is_empty() && start >= end {
        return Box::new(std::iter::empty());
    }
    Box::new(entries.range::<str, _>((Bound::Included(start), upper)))
}

/// The effective limit of one page: `page_size`, or the total query limit when it is 0 or larger (the peer's
/// `createPaginationInfoFromMetadata`).
pub(super) fn page_limit(page_size: i32, total_limit: usize) -> Result<usize> {
    let size = usize::try_from(page_size)
        .map_err(|_| Error::InvalidArgument(format!("page size must not be negative, got {page_size}")))?;
    Ok(if size == 0 || size > total_limit { total_limit } else { size })
}

/// One page of a range: up to `limit` records from `bookmark` (or `start` when the bookmark is empty), and the
/// next bookmark: the key after the last returned one, empty when the range is exhausted (LevelDB semantics).
pub(super) fn range_page<'a>(
    entries: &'a BTreeMap<String, Entry>,
    start: &str,
    end: &str,
    bookmark: &str,
    limit: usize,
) -> (Vec<(&'a String, &'a Entry)>, String) {
    let from = if bookmark.is_empty() { start } else { bookmark };
    let mut iter = range(entries, from, end);
    let records: Vec<_> = iter.by_ref().take(limit).collect();
    let next = iter.next().map(|(k, _)| k.clone()).unwrap_or_default();
    (records, next)
}

/// The prefix marking a bookmark of this emulated CouchDB; what follows is the last key returned.
const RICH_BOOKMARK_PREFIX: &str = "gridledger-couchdb:";
/// What CouchDB returns as the bookmark of an empty first page.
const RICH_NIL_BOOKMARK: &str = "nil";

/// Every record matching a rich query, in key order, after `skip` and up to `limit` (or `cap`).
pub(super) fn rich<'a>(
    entries: &'a BTreeMap<String, Entry>,
    query: &RichQuery,
    cap: usize,
) -> Vec<(&'a String, &'a Entry)> {
    let limit = query.limit.map_or(cap, |l| l.min(cap));
    rich_matches(entries, query, Bound::Unbounded).skip(query.skip).take(limit).collect()
}

/// One page of a rich query. Like CouchDB the bookmark is opaque and never empty: when no more records match, the
/// next page is simply empty. The page size replaces the query's `limit`; `skip` applies to every page.
pub(super) fn rich_page<'a>(
    entries: &'a BTreeMap<String, Entry>,
    query: &RichQuery,
    bookmark: &str,
    limit: usize,
) -> Result<(Vec<(&'a String, &'a Entry)>, String)> {
    let after = match bookmark {
        "" | RICH_NIL_BOOKMARK => Bound::Unbounded,
        b => match b.strip_prefix(RICH_BOOKMARK_PREFIX) {
            Some(key) => Bound::Excluded(key),
            None => return Err(Error::InvalidArgument(format!("invalid bookmark {bookmark:?}"))),
        },
    };
    let records: Vec<_> = rich_matches(entries, query, after).skip(query.skip).take(limit).collect();
    let next = match records.last() {
        Some((key, _)) => format!("{RICH_BOOKMARK_PREFIX}{key}"),
        None if bookmark.is_empty() => RICH_NIL_BOOKMARK.to_string(),
        None => bookmark.to_string(),
    };
    Ok((records, next))
}

fn rich_matches<'a, 'q>(
    entries: &'a BTreeMap<String, Entry>,
    query: &'q RichQuery,
    after: Bound<&str>,
) -> impl Iterator<Item = (&'a String, &'a Entry)> + use<'a, 'q> {
    let after = after.map(str::to_string);
    entries
        .range::<str, _>((after.as_ref().map(String::as_str), Bound::Unbounded))
        .filter(move |(key, entry)| query.matches(key, &entry.value))
}
