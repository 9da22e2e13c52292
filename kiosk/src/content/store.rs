//! The kiosk's local content store: SQLite generations built from bundles, on the kiosk.
//!
//! ```text
//! DATA_DIR/
//!   current -> generations/gen-000007     (a symlink, replaced by rename: the atomic switch)
//!   generations/gen-000006/content.db     (the previous generation, kept for roll-back)
//!   generations/gen-000007/content.db
//!   install.lock
//! ```
//! An install copies the current database into a new, not yet visible generation, applies only
//! what the bundle changed (documents are keyed by the sha256 of their bundle file), syncs it to
//! disk and then swaps the `current` link. A crash or kill -9 at any point leaves `current`
//! pointing at a complete generation; the half-built one is swept at the next install.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::bundle::{FileEntry, FileKind, OpenBundle};
use super::hall::HallContent;
use super::law::{Block, LawDoc, Status, STATUS_ORDER_SQL};
use super::lexicon;
use super::query::{self, PhraseInfo, Vocabulary};
use super::ranking::{group_of, DOC_SHIFT, GROUP_SHIFT};
use super::search::{self, SearchResults};
use super::source::Deployment;
use super::tokenize::index_tokens;
use super::vocab::{self, Vocab};

const SCHEMA: &str = r#"
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE laws(
  doc INTEGER PRIMARY KEY,          -- also the title index rowid
  hash TEXT NOT NULL UNIQUE,        -- sha256 of the bundle file: the incremental-install key
  law_id TEXT NOT NULL,
  title TEXT NOT NULL,
  short_name TEXT NOT NULL,
  category TEXT NOT NULL,
  level TEXT NOT NULL,
  status TEXT NOT NULL,
  core INTEGER NOT NULL,
  publish_date TEXT,
  effective_date TEXT,
  history TEXT NOT NULL,            -- JSON array of adoption/amendment lines
  article_count INTEGER NOT NULL,
  base INTEGER NOT NULL             -- (rank group << 40) | (doc << 16): its blocks' first id
);
CREATE INDEX laws_category ON laws(category);
"#;

/// The order the library lists categories in: 民法典 first (what residents come about most),
/// then the Constitution and the statutes in the order of China's legal system (宪法相关法,
/// 民法商法, 行政法, 经济法, 社会法, 刑法, 诉讼与非诉讼程序法), then the regulations and judicial
/// interpretations that implement them. Sorting by size put 民法典 last and 行政法规 first.
const CATEGORY_ORDER: [&str; 12] = [
    "民法典",
    "宪法",
    "宪法相关法",
    "民法商法",
    "行政法",
    "经济法",
    "社会法",
    "刑法",
    "诉讼与非诉讼程序法",
    "行政法规",
    "监察法规",
    "司法解释",
];

/// The blocks table, apart so that [`Store::reindex`] can rewrite it alone.
const BLOCKS_SCHEMA: &str = r#"
-- A rowid table: article text is long, and WITHOUT ROWID rows that size waste a fifth of
-- the file in overflow pages. The rowid is also the block's rowid in the article indexes.
CREATE TABLE blocks(
  id INTEGER PRIMARY KEY,           -- laws.base + seq: a law's blocks are one rowid range
  doc INTEGER NOT NULL,
  seq INTEGER NOT NULL,             -- reading order within the law
  kind INTEGER NOT NULL,            -- 0 heading, 1 article, 2 paragraph
  level INTEGER NOT NULL,           -- heading level (1 = outermost); 0 otherwise
  label TEXT NOT NULL,              -- 第X条, or ''
  number INTEGER NOT NULL,          -- article number, 0 otherwise
  text TEXT NOT NULL
);
"#;

/// SQL: the blocks of law `?1`, as a rowid range (their ids are the law's base + seq).
pub(super) const DOC_RANGE: &str = "id BETWEEN (SELECT base FROM laws WHERE doc = ?1) \
     AND (SELECT base FROM laws WHERE doc = ?1) + 65535";

/// SQL selecting `columns` of the law a name (`?1`, title or short name) means: the text in
/// force first, then a core law, then the newest, as [`super::law::find_by_name`] picks among
/// the bundle's laws. Every lookup by name in the store goes through here.
pub(super) fn law_by_name_sql(columns: &str) -> String {
    format!(
        "SELECT {columns} FROM laws WHERE short_name = ?1 OR title = ?1 \
         ORDER BY {STATUS_ORDER_SQL}, core DESC, publish_date DESC LIMIT 1"
    )
}

/// The block of article 第`number`条 of law `doc`: its rowid and its place in the law. The first
/// such block, should a text number two articles alike.
pub(super) fn article_block(
    conn: &Connection,
    doc: i64,
    number: i64,
) -> Result<Option<(i64, i64)>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT id, seq FROM blocks WHERE {DOC_RANGE} AND kind = 1 AND number = ?2 ORDER BY id LIMIT 1"
    ))?;
    Ok(st.query_row([doc, number], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
}

/// Generations of schema 1 and 2 keyed blocks by (doc, seq) with the ranking rowid in an `fts`
/// column (NULL for headings) and had no `laws.base`. Until [`Store::reindex`] has rewritten
/// one, these temporary views (temp names shadow main ones) let today's queries read it, by full
/// scans: slower, for the minute a reindex takes.
const LEGACY_VIEWS: &str = "
CREATE TEMP VIEW laws AS SELECT *, ((CASE
    WHEN status = '有效' AND core = 1 AND level IN ('法律', '宪法') THEN 0
    WHEN status = '有效' AND core = 1 THEN 1
    WHEN status = '有效' AND level IN ('法律', '宪法') THEN 2
    WHEN status = '有效' THEN 3
    WHEN status = '已修改' THEN 4
    ELSE 5 END) << 40) | (doc << 16) AS base FROM main.laws;
CREATE TEMP VIEW blocks AS SELECT coalesce(b.fts, ((SELECT base FROM temp.laws l WHERE l.doc = b.doc) | b.seq)) AS id,
    b.doc, b.seq, b.kind, b.level, b.label, b.number, b.text FROM main.blocks b;";

/// What search reads, derived from the rows above: rebuilt whole by [`Store::reindex`].
const INDEX_SCHEMA: &str = r#"
-- Article rowids sort by priority group, so "core laws in force first" is a rowid range.
CREATE VIRTUAL TABLE article_bi USING fts5(t, content='', contentless_delete=1, tokenize='ascii', detail='full');
-- Single hanzi: only whether an article holds them. No column sizes (columnsize=0): bm25 has no
-- term counts to weigh under detail='none' and ranks every row alike, so the sizes were 1.1 MB
-- of nothing. That rules out contentless_delete, so rows are deleted with their tokens.
CREATE VIRTUAL TABLE article_uni USING fts5(t, content='', columnsize=0, tokenize='ascii', detail='none');
CREATE VIRTUAL TABLE title_fts USING fts5(bi, uni, content='', contentless_delete=1, tokenize='ascii');
CREATE TABLE lexicon(word TEXT PRIMARY KEY, full TEXT NOT NULL, initials TEXT NOT NULL, weight INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX lexicon_full ON lexicon(full);
CREATE INDEX lexicon_initials ON lexicon(initials);
-- Phrases query understanding takes whole: everyday words, law names, topic words (JSON info).
CREATE TABLE vocab(phrase TEXT PRIMARY KEY, info TEXT NOT NULL) WITHOUT ROWID;
"#;

const DROP_INDEXES: &str = "DROP TABLE IF EXISTS article_bi; DROP TABLE IF EXISTS article_uni;
    DROP TABLE IF EXISTS title_fts; DROP TABLE IF EXISTS lexicon; DROP TABLE IF EXISTS vocab;";

/// The layout [`SCHEMA`] creates and the way rows are ranked. A firmware whose store layout or
/// ranking differs from the one a generation was built with rebuilds the index from scratch
/// (see [`Store::needs_reindex`]): incremental installs keep old rows as they were written.
/// 1: before the vocabulary table (no `schema_version` key). 2: vocabulary, jieba pinyin words.
/// 3: blocks a rowid table keyed by the ranking rowid (`laws.base`), no separate `fts` column.
/// 4: the vocabulary also holds situations told in pieces (topics' `together`).
/// 5: the single-hanzi index keeps no column sizes.
/// 6: the vocabulary counts the hall content's citations of each article (lexicon entries,
///    topics and 办事指南's basis), which rank a query of statute words, and holds the
///    办事指南 a query may name; the pinyin lexicon writes ü as v (falv → 法律).
pub const SCHEMA_VERSION: u32 = 6;

/// What the store serves: its content version and deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreInfo {
    pub generation: u64,
    pub content_version: String,
    pub created_at: String,
    pub deployment: Deployment,
    pub law_count: i64,
    pub article_count: i64,
    /// [`SCHEMA_VERSION`] of the firmware that built this generation.
    pub schema_version: u32,
}

/// A law as lists and the reader show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LawSummary {
    pub doc: i64,
    pub title: String,
    pub short_name: String,
    pub category: String,
    pub status: Status,
    pub core: bool,
    pub publish_date: Option<String>,
    pub effective_date: Option<String>,
    pub history: Vec<String>,
    pub article_count: i64,
}

/// One block of a law as the reader shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRow {
    pub seq: i64,
    pub kind: BlockKind,
    pub level: i64,
    pub label: String,
    pub number: i64,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Heading,
    Article,
    Paragraph,
}

/// What an install did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallReport {
    pub generation: u64,
    pub content_version: String,
    pub added: usize,
    pub removed: usize,
    pub unchanged: usize,
}

/// Query understanding's view of a store: the vocabulary table and the pinyin lexicon.
struct VocabView<'a> {
    store: &'a Store,
}

impl Vocabulary for VocabView<'_> {
    fn phrase(&self, phrase: &str) -> Option<&PhraseInfo> {
        self.store.vocab().get(phrase)
    }
    fn pinyin_word(&self, letters: &str) -> Result<Option<String>> {
        Ok(lexicon::candidates(&self.store.conn, letters, 1)?.into_iter().next())
    }
    fn together(&self) -> &[query::Together] {
        self.store.vocab().together()
    }
    fn guides(&self) -> &[query::NamedGuide] {
        self.store.vocab().guides()
    }
}

/// A read-only view of one store generation.
pub struct Store {
    conn: Connection,
    generation_dir: PathBuf,
    info: StoreInfo,
    /// The vocabulary table, read on the first search.
    vocab: std::cell::OnceCell<Vocab>,
}

impl Store {
    /// Opens the generation `DATA_DIR/current` points at.
    pub fn open(data_dir: &Path) -> Result<Store> {
        let link = data_dir.join("current");
        let target = std::fs::read_link(&link).with_context(|| {
            format!(
                "{}: no content installed (`kiosk update --from REPO` or `kiosk bundle install BUNDLE`)",
                data_dir.display()
            )
        })?;
        let generation_dir = data_dir.join(target);
        let conn = Connection::open_with_flags(
            generation_dir.join("content.db"),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("opening {}", generation_dir.display()))?;
        let info = read_info(&conn)?;
        if info.schema_version < 3 {
            conn.execute_batch(LEGACY_VIEWS).context("reading a generation of schema 1 or 2")?;
        }
        Ok(Store { conn, generation_dir, info, vocab: Default::default() })
    }

    /// True when this generation was built by a firmware with another store layout or ranking:
    /// it still serves, but the kiosk should reinstall its bundle to rebuild the index.
    pub fn needs_reindex(&self) -> bool {
        self.info.schema_version != SCHEMA_VERSION
    }

    fn vocab(&self) -> &Vocab {
        self.vocab.get_or_init(|| {
            Vocab::load(&self.conn).unwrap_or_else(|e| {
                // A generation from before the vocabulary table: search still works, word by word.
                tracing::warn!("no search vocabulary in this generation: {e:#}");
                Vocab::default()
            })
        })
    }

    pub fn info(&self) -> &StoreInfo {
        &self.info
    }

    /// True when an install has switched `current` since this store was opened.
    pub fn is_stale(&self, data_dir: &Path) -> bool {
        current_generation(data_dir).as_deref() != Some(self.generation_dir.as_path())
    }

    /// The open generation's SQLite file, for read-only inspection (tests, benchmarks): the
    /// store's own connection stays private, so nothing outside it can write a generation.
    pub fn database_path(&self) -> PathBuf {
        self.generation_dir.join("content.db")
    }

    /// The library's categories with their law counts, in [`CATEGORY_ORDER`]; categories it
    /// does not name follow, larger first.
    pub fn categories(&self) -> Result<Vec<(String, i64)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT category, count(*) FROM laws GROUP BY category ORDER BY count(*) DESC, category",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let mut cats: Vec<(String, i64)> = rows.collect::<rusqlite::Result<_>>()?;
        let rank = |c: &str| CATEGORY_ORDER.iter().position(|o| *o == c).unwrap_or(usize::MAX);
        // A stable sort keeps the count order among the categories the list does not name.
        cats.sort_by_key(|(c, _)| rank(c));
        Ok(cats)
    }

    /// The laws of a category: core first, in force first, newest first.
    pub fn laws_in_category(&self, category: &str) -> Result<Vec<LawSummary>> {
        let sql = format!(
            "SELECT {LAW_COLUMNS} FROM laws WHERE category = ?1 ORDER BY core DESC, \
             {STATUS_ORDER_SQL}, publish_date DESC, title"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map([category], law_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn law(&self, doc: i64) -> Result<LawSummary> {
        let sql = format!("SELECT {LAW_COLUMNS} FROM laws WHERE doc = ?1");
        self.conn.query_row(&sql, [doc], law_from_row).with_context(|| format!("no law {doc}"))
    }

    /// The law whose short name or title is exactly `name` (see [`law_by_name_sql`]).
    pub fn law_by_name(&self, name: &str) -> Result<Option<LawSummary>> {
        let sql = law_by_name_sql(LAW_COLUMNS);
        Ok(self.conn.query_row(&sql, [name], law_from_row).optional()?)
    }

    /// Every block of a law in reading order.
    pub fn blocks(&self, doc: i64) -> Result<Vec<BlockRow>> {
        let mut st = self.conn.prepare_cached(
            &format!("SELECT seq, kind, level, label, number, text FROM blocks WHERE {DOC_RANGE} ORDER BY id"),
        )?;
        let rows = st.query_map([doc], block_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The block of article number `number` (第`number`条) in a law.
    pub fn article_seq(&self, doc: i64, number: i64) -> Result<Option<i64>> {
        Ok(article_block(&self.conn, doc, number)?.map(|(_, seq)| seq))
    }

    /// The hall's guides, service points, map and queue services of this generation.
    pub fn hall(&self) -> Result<HallContent> {
        let json = meta(&self.conn, "hall")?
            .context("store has no hall content (reinstall the bundle)")?;
        serde_json::from_str(&json).context("store: malformed hall content")
    }

    pub fn search(&self, query: &str, limit: usize) -> Result<SearchResults> {
        self.search_terms(&search::split_query(query), limit)
    }

    /// The query as typed, no understanding: each space-separated piece one term, no everyday
    /// lexicon, no question words dropped, pinyin still read. The baseline the judged-set
    /// benchmark scores against, in the same process.
    pub fn search_literal(&self, query: &str, limit: usize) -> Result<SearchResults> {
        let terms = search::split_query(query)
            .into_iter()
            .map(|p| {
                let text = if p.bytes().all(|b| b.is_ascii_alphabetic()) {
                    lexicon::candidates(&self.conn, p, 1)?
                        .into_iter()
                        .next()
                        .unwrap_or(p.to_owned())
                } else {
                    p.to_owned()
                };
                Ok(query::QueryTerm { text, alternatives: Vec::new() })
            })
            .collect::<Result<_>>()?;
        let understood = query::Understood { terms, ..Default::default() };
        search::search(&self.conn, understood, &Vocab::default(), limit)
    }

    /// Searches pieces already apart (the search screen keeps what the resident picked as a list).
    pub fn search_terms(&self, pieces: &[&str], limit: usize) -> Result<SearchResults> {
        let understood = query::understand(pieces, &VocabView { store: self })?;
        search::search(&self.conn, understood, self.vocab(), limit)
    }

    /// Words from the corpus whose pinyin (full or initials) starts with `letters`.
    pub fn pinyin_candidates(&self, letters: &str, limit: usize) -> Result<Vec<String>> {
        lexicon::candidates(&self.conn, letters, limit)
    }

    /// Installs a bundle directory as a new generation and switches to it.
    pub fn install(data_dir: &Path, bundle_dir: &Path) -> Result<InstallReport> {
        Self::install_bundle(data_dir, &OpenBundle::open(bundle_dir)?)
    }

    /// Installs an opened bundle as a new generation and switches to it. Only the documents the
    /// store does not already hold are read and indexed; those it holds but the bundle lacks are
    /// removed.
    pub fn install_bundle(data_dir: &Path, bundle: &OpenBundle) -> Result<InstallReport> {
        let span = tracing::info_span!("install", version = %bundle.manifest.content_version);
        let _in = span.enter();
        new_generation(data_dir, |building, current, next| {
            build_generation(building, current, bundle, next)
        })
    }

    /// Rebuilds the current generation's indexes (article and title indexes, ranking rowids,
    /// vocabulary, pinyin lexicon) with this firmware's layout and ranking, as a new generation:
    /// the laws and hall content stay as installed, nothing is fetched. The kiosk runs it in the
    /// background at start when [`Store::needs_reindex`], and switches to it on its way home.
    pub fn reindex(data_dir: &Path) -> Result<InstallReport> {
        let span = tracing::info_span!("reindex");
        let _in = span.enter();
        new_generation(data_dir, |building, current, next| {
            let current = current.context("no content installed to reindex")?;
            let db_path = building.join("content.db");
            std::fs::copy(current.join("content.db"), &db_path)
                .context("copying the current generation")?;
            let mut conn = Connection::open(&db_path)?;
            conn.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")?;
            let report = rebuild_indexes(&mut conn, next)?;
            conn.execute_batch("PRAGMA optimize; VACUUM;")?;
            drop(conn);
            sync_path(&db_path)?;
            sync_path(building)?;
            Ok(report)
        })
    }

    /// A 法治宣传 poster's PNG by its sha256 (`None`: this generation does not hold it).
    pub fn poster(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        if !self.has_posters()? {
            return Ok(None);
        }
        Ok(self
            .conn
            .query_row("SELECT png FROM posters WHERE sha256 = ?1", [sha256], |r| r.get(0))
            .optional()?)
    }

    /// The posters this generation holds, so an update fetches only the others.
    pub fn poster_hashes(&self) -> Result<HashSet<String>> {
        if !self.has_posters()? {
            return Ok(HashSet::new());
        }
        let mut st = self.conn.prepare("SELECT sha256 FROM posters")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A generation built before posters existed has no table for them.
    fn has_posters(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'posters'",
            [],
            |r| r.get(0),
        )?)
    }

    /// The sha256 of the hall content file this generation was built from.
    pub fn hall_hash(&self) -> Result<Option<String>> {
        meta(&self.conn, "hall_hash")
    }

    /// The content hashes of the laws this generation holds: what an update need not fetch.
    pub fn law_hashes(&self) -> Result<HashSet<String>> {
        let mut st = self.conn.prepare("SELECT hash FROM laws")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sweeps what a killed install left behind (see [`sweep_generations`]), unless an install
    /// is running: an update check that finds nothing new still tidies the disk.
    pub fn sweep(data_dir: &Path) -> Result<()> {
        let generations = data_dir.join("generations");
        if !generations.is_dir() {
            return Ok(());
        }
        let lock = std::fs::File::create(data_dir.join("install.lock"))?;
        if lock.try_lock().is_err() {
            return Ok(()); // the running install sweeps when it starts and cleans when it ends
        }
        sweep_generations(&generations, current_generation(data_dir).as_deref()).map(|_| ())
    }

    /// Switches back to the generation kept from before the last install (a technician's
    /// undo). Returns the content version now current. The generation left stays, so a second
    /// rollback undoes the first.
    pub fn rollback(data_dir: &Path) -> Result<StoreInfo> {
        let lock = std::fs::File::create(data_dir.join("install.lock"))?;
        lock.lock().context("waiting for an install to finish")?;
        let current = std::fs::read_link(data_dir.join("current"))
            .with_context(|| format!("{}: no content installed", data_dir.display()))?;
        let current_name = current.file_name().map(|n| n.to_owned());
        let mut kept = Vec::new();
        for entry in std::fs::read_dir(data_dir.join("generations"))? {
            let name = entry?.file_name();
            let text = name.to_string_lossy();
            if text.starts_with("gen-")
                && !text.ends_with(".partial")
                && Some(&name) != current_name.as_ref()
            {
                kept.push(text.into_owned());
            }
        }
        kept.sort();
        let target =
            kept.pop().context("no earlier generation is kept: nothing to roll back to")?;
        let db = data_dir.join("generations").join(&target).join("content.db");
        // Check it opens before pointing the kiosk at it.
        let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .with_context(|| format!("opening {}", db.display()))?;
        let info = read_info(&conn)?;
        drop(conn);
        switch_current(data_dir, &format!("generations/{target}"))?;
        Ok(info)
    }
}

/// Makes generation N+1 with `build` (given its directory, the current generation and N+1),
/// then switches `current` to it atomically; a failed build leaves nothing behind.
fn new_generation(
    data_dir: &Path,
    build: impl FnOnce(&Path, Option<&Path>, u64) -> Result<InstallReport>,
) -> Result<InstallReport> {
    std::fs::create_dir_all(data_dir.join("generations"))
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let lock = std::fs::File::create(data_dir.join("install.lock"))?;
    lock.lock().context("waiting for another install to finish")?;

    let generations = data_dir.join("generations");
    let current = current_generation(data_dir);
    let next = sweep_generations(&generations, current.as_deref())?;
    let building = generations.join(format!("gen-{next:06}.partial"));
    std::fs::create_dir_all(&building)?;
    let report = match build(&building, current.as_deref(), next) {
        Ok(r) => r,
        Err(e) => {
            // A refused bundle leaves nothing behind; the current generation never changed.
            let _ = std::fs::remove_dir_all(&building);
            return Err(e);
        }
    };

    let final_dir = generations.join(format!("gen-{next:06}"));
    std::fs::rename(&building, &final_dir)?;
    sync_path(&generations)?;
    switch_current(data_dir, &format!("generations/gen-{next:06}"))?;
    // Keep the generation we just left, for roll-back; older ones go.
    for entry in std::fs::read_dir(&generations)? {
        let p = entry?.path();
        if p != final_dir && Some(&p) != current.as_ref() {
            std::fs::remove_dir_all(&p).ok();
        }
    }
    tracing::info!(
        generation = next,
        added = report.added,
        removed = report.removed,
        unchanged = report.unchanged,
        "generation installed"
    );
    Ok(report)
}

/// Merges index segments so queries read one b-tree per column.
const MERGE_SEGMENTS: &str = "INSERT INTO article_bi(article_bi) VALUES('optimize');
    INSERT INTO article_uni(article_uni) VALUES('optimize');
    INSERT INTO title_fts(title_fts) VALUES('optimize');";

/// Rebuilds what search knows of words from the laws and the hall content this generation
/// holds: the vocabulary (phrases taken whole) and the pinyin lexicon.
fn rebuild_words(tx: &rusqlite::Transaction) -> Result<()> {
    let hall: HallContent =
        serde_json::from_str(&meta(tx, "hall")?.context("a generation without hall content")?)?;
    vocab::rebuild(tx, &hall)?;
    lexicon::rebuild(tx, &hall)
}

/// Drops and rebuilds every index from the laws and blocks rows: new ranking rowids, article
/// and title tokens, vocabulary and pinyin lexicon; stamps this firmware's schema version.
fn rebuild_indexes(conn: &mut Connection, generation: u64) -> Result<InstallReport> {
    let tx = conn.transaction()?;
    tx.execute_batch(DROP_INDEXES)?;
    tx.execute_batch(INDEX_SCHEMA)?;
    let has_base =
        tx.prepare("SELECT 1 FROM pragma_table_info('laws') WHERE name = 'base'")?.exists([])?;
    if !has_base {
        tx.execute_batch("ALTER TABLE laws ADD COLUMN base INTEGER NOT NULL DEFAULT 0;")?;
    }
    let laws: Vec<(i64, String, String, Status, bool, String)> = {
        let mut st = tx.prepare("SELECT doc, title, short_name, status, core, level FROM laws")?;
        let rows = st.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, i64>(4)? != 0, r.get(5)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    {
        let mut set_base = tx.prepare("UPDATE laws SET base = ?2 WHERE doc = ?1")?;
        for (doc, title, short_name, status, core, level) in &laws {
            let (bi, uni) = index_tokens(&format!("{title} {short_name}"));
            tx.execute(
                "INSERT INTO title_fts(rowid, bi, uni) VALUES (?1, ?2, ?3)",
                params![doc, bi, uni],
            )?;
            set_base.execute(params![doc, law_base(*status, *core, level, *doc)])?;
        }
        // The blocks table is rewritten under the new ids (this also moves a generation of an
        // older layout, keyed by (doc, seq), to this one).
        tx.execute_batch("ALTER TABLE blocks RENAME TO blocks_old;")?;
        tx.execute_batch(BLOCKS_SCHEMA)?;
        tx.execute_batch(
            "INSERT INTO blocks(id, doc, seq, kind, level, label, number, text)
               SELECT l.base + b.seq, b.doc, b.seq, b.kind, b.level, b.label, b.number, b.text
               FROM blocks_old b JOIN laws l ON l.doc = b.doc;
             DROP TABLE blocks_old;",
        )?;
        let mut blocks = tx.prepare("SELECT id, text FROM blocks WHERE kind > 0 ORDER BY id")?;
        let mut ins_bi = tx.prepare("INSERT INTO article_bi(rowid, t) VALUES (?1, ?2)")?;
        let mut ins_uni = tx.prepare("INSERT INTO article_uni(rowid, t) VALUES (?1, ?2)")?;
        let mut rows = blocks.query([])?;
        while let Some(r) = rows.next()? {
            let (id, text): (i64, String) = (r.get(0)?, r.get(1)?);
            let (bi, uni) = index_tokens(&text);
            ins_bi.execute(params![id, bi])?;
            ins_uni.execute(params![id, uni])?;
        }
    }
    rebuild_words(&tx)?;
    tx.execute_batch(MERGE_SEGMENTS)?;
    for (k, v) in
        [("generation", generation.to_string()), ("schema_version", SCHEMA_VERSION.to_string())]
    {
        tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", [k, v.as_str()])?;
    }
    let content_version = meta(&tx, "content_version")?.unwrap_or_default();
    tx.commit()?;
    Ok(InstallReport { generation, content_version, added: 0, removed: 0, unchanged: laws.len() })
}

/// Builds generation `number` in `dir`: a copy of `current` (if any) with the bundle applied,
/// synced to disk.
fn build_generation(
    dir: &Path,
    current: Option<&Path>,
    bundle: &OpenBundle,
    number: u64,
) -> Result<InstallReport> {
    let db_path = dir.join("content.db");
    // A generation built by another store layout or ranking is not copied: every row is
    // written afresh, so the new firmware's ranking holds for all laws.
    let current = current.filter(|cur| same_schema(&cur.join("content.db")));
    if let Some(cur) = current {
        std::fs::copy(cur.join("content.db"), &db_path)
            .context("copying the current generation")?;
    }
    let mut conn = Connection::open(&db_path)?;
    // This file is invisible until the switch, and synced before it: no journal needed.
    conn.execute_batch(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;",
    )?;
    if current.is_none() {
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(BLOCKS_SCHEMA)?;
        conn.execute_batch(INDEX_SCHEMA)?;
    }
    let report = apply_bundle(&mut conn, bundle, number)?;
    // Merging the index segments and replacing laws leave free pages behind (≈ 9 MiB of 76 on
    // the national corpus); a generation is written once and read for weeks, so it is compacted.
    conn.execute_batch("PRAGMA optimize; VACUUM;")?;
    drop(conn);
    sync_path(&db_path)?;
    sync_path(dir)?;
    Ok(report)
}

fn same_schema(db: &Path) -> bool {
    let Ok(conn) = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return false;
    };
    meta(&conn, "schema_version").ok().flatten().and_then(|v| v.parse().ok())
        == Some(SCHEMA_VERSION)
}

/// Status columns hold the labels `insert_doc` wrote; anything else is a damaged store, and
/// reading it as 有效 would show a repealed law as in force.
impl rusqlite::types::FromSql for Status {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        Status::parse(text).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown law status {text:?}").into())
        })
    }
}

const LAW_COLUMNS: &str =
    "doc, title, short_name, category, status, core, publish_date, effective_date, history, article_count";

fn law_from_row(r: &rusqlite::Row) -> rusqlite::Result<LawSummary> {
    let history: String = r.get(8)?;
    Ok(LawSummary {
        doc: r.get(0)?,
        title: r.get(1)?,
        short_name: r.get(2)?,
        category: r.get(3)?,
        status: r.get(4)?,
        core: r.get::<_, i64>(5)? != 0,
        publish_date: r.get(6)?,
        effective_date: r.get(7)?,
        history: serde_json::from_str(&history).unwrap_or_default(),
        article_count: r.get(9)?,
    })
}

fn block_from_row(r: &rusqlite::Row) -> rusqlite::Result<BlockRow> {
    Ok(BlockRow {
        seq: r.get(0)?,
        kind: match r.get::<_, i64>(1)? {
            0 => BlockKind::Heading,
            1 => BlockKind::Article,
            _ => BlockKind::Paragraph,
        },
        level: r.get(2)?,
        label: r.get(3)?,
        number: r.get(4)?,
        text: r.get(5)?,
    })
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

fn read_info(conn: &Connection) -> Result<StoreInfo> {
    let get =
        |k: &str| -> Result<String> { meta(conn, k)?.with_context(|| format!("store has no {k}")) };
    let deployment: Deployment = serde_json::from_str(&get("deployment")?)?;
    let (law_count, article_count) =
        conn.query_row("SELECT count(*), coalesce(sum(article_count), 0) FROM laws", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(StoreInfo {
        schema_version: meta(conn, "schema_version")?.map(|v| v.parse()).transpose()?.unwrap_or(1),
        generation: get("generation")?.parse()?,
        content_version: get("content_version")?,
        created_at: get("created_at")?,
        deployment,
        law_count,
        article_count,
    })
}

/// The generation directory `current` points at, if any.
fn current_generation(data_dir: &Path) -> Option<std::path::PathBuf> {
    std::fs::read_link(data_dir.join("current")).ok().map(|t| data_dir.join(t))
}

/// Removes what a crash left in `generations/` and returns the next generation number.
///
/// A kill during a build leaves a `.partial` directory; a kill between the switch and the
/// clean-up after it leaves a generation older than the one kept for roll-back. Both go. What
/// stays is `current` and the newest other whole generation: the one a roll-back returns to
/// (after a roll-back, that is the newer generation it left, so a second roll-back undoes it).
fn sweep_generations(generations: &Path, current: Option<&Path>) -> Result<u64> {
    let current_name = current.and_then(|c| c.file_name()).map(|n| n.to_owned());
    let mut whole = Vec::new();
    for entry in std::fs::read_dir(generations)? {
        let p = entry?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if name.ends_with(".partial") {
            std::fs::remove_dir_all(&p).with_context(|| format!("sweeping {}", p.display()))?;
        } else if let Some(n) = name.strip_prefix("gen-").and_then(|n| n.parse::<u64>().ok()) {
            whole.push((n, p));
        }
    }
    let highest = whole.iter().map(|(n, _)| *n).max().unwrap_or(0);
    let is_current = |p: &Path| p.file_name().is_some_and(|n| Some(n) == current_name.as_deref());
    let kept = whole.iter().filter(|(_, p)| !is_current(p)).map(|(n, _)| *n).max();
    for (n, p) in &whole {
        if !is_current(p) && Some(*n) != kept {
            std::fs::remove_dir_all(p).with_context(|| format!("sweeping {}", p.display()))?;
        }
    }
    if let Some(cur) = current {
        if !cur.join("content.db").exists() {
            bail!("{}: the current generation is missing its database", cur.display());
        }
    }
    Ok(highest + 1)
}

/// Points `current` at `target` by renaming a fresh symlink over it: atomic on POSIX.
fn switch_current(data_dir: &Path, target: &str) -> Result<()> {
    let tmp = data_dir.join("current.next");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp)?;
    std::fs::rename(&tmp, data_dir.join("current"))?;
    sync_path(data_dir)
}

/// fsync for a file or a directory (a rename is durable only once its directory is synced).
fn sync_path(p: &Path) -> Result<()> {
    std::fs::File::open(p)?.sync_all().with_context(|| format!("syncing {}", p.display()))
}

fn apply_bundle(
    conn: &mut Connection,
    bundle: &OpenBundle,
    generation: u64,
) -> Result<InstallReport> {
    let tx = conn.transaction()?;
    let held: HashMap<String, i64> = {
        let mut st = tx.prepare("SELECT hash, doc FROM laws")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let wanted: HashSet<&str> = bundle
        .manifest
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Law)
        .map(|f| f.sha256.as_str())
        .collect();

    let mut removed = 0;
    for (hash, doc) in &held {
        if !wanted.contains(hash.as_str()) {
            remove_doc(&tx, *doc)?;
            removed += 1;
        }
    }
    let mut next_doc: i64 = meta(&tx, "next_doc")?.map(|v| v.parse()).transpose()?.unwrap_or(1);
    let (mut added, mut unchanged) = (0, 0);
    for entry in bundle.manifest.files.iter().filter(|f| f.kind == FileKind::Law) {
        if held.contains_key(&entry.sha256) {
            unchanged += 1;
            continue;
        }
        let law = bundle.read_law(entry)?;
        insert_doc(&tx, next_doc, &entry.sha256, &law)?;
        next_doc += 1;
        added += 1;
    }
    let m = &bundle.manifest;
    // Checked and parsed before the swap: a bundle with broken hall content never goes live.
    // Unchanged hall content (same hash) is kept as it is, so an update need not fetch it.
    let hall_hash = bundle.hall_entry()?.sha256.clone();
    let hall_changed = meta(&tx, "hall_hash")?.as_deref() != Some(hall_hash.as_str());
    if hall_changed {
        let hall = bundle.read_hall()?;
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('hall', ?1), ('hall_hash', ?2)",
            [serde_json::to_string(&hall)?, hall_hash],
        )?;
    }
    apply_posters(&tx, bundle)?;
    for (k, v) in [
        ("generation", generation.to_string()),
        ("content_version", m.content_version.clone()),
        ("created_at", m.created_at.clone()),
        ("deployment", serde_json::to_string(&m.deployment)?),
        ("next_doc", next_doc.to_string()),
        ("schema_version", SCHEMA_VERSION.to_string()),
    ] {
        tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", [k, v.as_str()])?;
    }
    if added + removed > 0 || hall_changed {
        rebuild_words(&tx)?;
    }
    if added + removed > 0 {
        tx.execute_batch(MERGE_SEGMENTS)?;
    }
    tx.commit()?;
    Ok(InstallReport {
        generation,
        content_version: m.content_version.clone(),
        added,
        removed,
        unchanged,
    })
}

/// The 法治宣传 pictures: kept by hash, so an update fetches and writes only new ones; those
/// the bundle no longer names go. (The table is created here rather than in [`SCHEMA`]: a
/// generation copied from a firmware before posters gains it without a reindex.)
fn apply_posters(tx: &rusqlite::Transaction, bundle: &OpenBundle) -> Result<()> {
    tx.execute_batch(POSTERS_SCHEMA)?;
    let wanted: Vec<&FileEntry> =
        bundle.manifest.files.iter().filter(|f| f.kind == FileKind::Poster).collect();
    let held: HashSet<String> = {
        let mut st = tx.prepare("SELECT sha256 FROM posters")?;
        let rows = st.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for entry in &wanted {
        if !held.contains(&entry.sha256) {
            let png = bundle.read_poster(entry)?;
            tx.execute(
                "INSERT INTO posters(sha256, png) VALUES (?1, ?2)",
                params![entry.sha256, png],
            )?;
        }
    }
    let keep: HashSet<&str> = wanted.iter().map(|f| f.sha256.as_str()).collect();
    for gone in held.iter().filter(|h| !keep.contains(h.as_str())) {
        tx.execute("DELETE FROM posters WHERE sha256 = ?1", [gone])?;
    }
    Ok(())
}

const POSTERS_SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS posters(sha256 TEXT PRIMARY KEY, png BLOB NOT NULL) WITHOUT ROWID;";

fn remove_doc(tx: &rusqlite::Transaction, doc: i64) -> Result<()> {
    {
        let mut st =
            tx.prepare(&format!("SELECT id, text FROM blocks WHERE {DOC_RANGE} AND kind > 0"))?;
        let rows: Vec<(i64, String)> = st
            .query_map([doc], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut del_bi = tx.prepare_cached("DELETE FROM article_bi WHERE rowid = ?1")?;
        // A contentless table without contentless_delete forgets a row by its tokens.
        let mut del_uni = tx.prepare_cached(
            "INSERT INTO article_uni(article_uni, rowid, t) VALUES ('delete', ?1, ?2)",
        )?;
        for (id, text) in rows {
            del_bi.execute([id])?;
            del_uni.execute(params![id, index_tokens(&text).1])?;
        }
    }
    tx.execute("DELETE FROM title_fts WHERE rowid = ?1", [doc])?;
    tx.execute(&format!("DELETE FROM blocks WHERE {DOC_RANGE}"), [doc])?;
    tx.execute("DELETE FROM laws WHERE doc = ?1", [doc])?;
    Ok(())
}

/// A law's first block id: its ranking group and its number (see [`super::ranking`]).
fn law_base(status: Status, core: bool, level: &str, doc: i64) -> i64 {
    (group_of(status, core, level) << GROUP_SHIFT) | (doc << DOC_SHIFT)
}

fn insert_doc(tx: &rusqlite::Transaction, doc: i64, hash: &str, law: &LawDoc) -> Result<()> {
    if law.blocks.len() >= 1 << DOC_SHIFT {
        bail!("{}: {} blocks, more than a law can hold", law.title, law.blocks.len());
    }
    tx.execute(
        "INSERT INTO laws(doc, hash, law_id, title, short_name, category, level, status, core, publish_date, effective_date, history, article_count, base)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            doc,
            hash,
            law.id,
            law.title,
            law.short_name,
            law.category,
            law.level,
            law.status.label(),
            law.core as i64,
            law.publish_date,
            law.effective_date,
            serde_json::to_string(&law.history)?,
            law.article_count() as i64,
            law_base(law.status, law.core, &law.level, doc),
        ],
    )?;
    let (bi, uni) = index_tokens(&format!("{} {}", law.title, law.short_name));
    tx.execute("INSERT INTO title_fts(rowid, bi, uni) VALUES (?1, ?2, ?3)", params![doc, bi, uni])?;

    let base = law_base(law.status, law.core, &law.level, doc);
    let mut ins_block = tx.prepare_cached(
        "INSERT INTO blocks(id, doc, seq, kind, level, label, number, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut ins_bi = tx.prepare_cached("INSERT INTO article_bi(rowid, t) VALUES (?1, ?2)")?;
    let mut ins_uni = tx.prepare_cached("INSERT INTO article_uni(rowid, t) VALUES (?1, ?2)")?;
    for (seq, block) in law.blocks.iter().enumerate() {
        let (kind, level, label, number) = match block {
            Block::Heading { level, .. } => (0, *level as i64, "", 0),
            Block::Article { label, number, .. } => (1, 0, label.as_str(), *number as i64),
            Block::Paragraph { .. } => (2, 0, "", 0),
        };
        let id = base | seq as i64;
        ins_block.execute(params![
            id,
            doc,
            seq as i64,
            kind,
            level,
            label,
            number,
            block.text()
        ])?;
        if kind != 0 {
            let (bi, uni) = index_tokens(block.text());
            ins_bi.execute(params![id, bi])?;
            ins_uni.execute(params![id, uni])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The legacy views compute a law's base in SQL; it must be the one `law_base` writes.
    #[test]
    fn legacy_views_rank_as_the_store_does() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE laws(doc INTEGER PRIMARY KEY, status TEXT, core INTEGER, level TEXT);
             CREATE TABLE blocks(doc, seq, kind, level, label, number, text, fts);",
        )
        .unwrap();
        let mut doc = 0;
        for status in [Status::InForce, Status::Amended, Status::Repealed] {
            for core in [true, false] {
                for level in ["法律", "宪法", "行政法规", "司法解释"] {
                    doc += 1;
                    conn.execute(
                        "INSERT INTO laws VALUES (?1, ?2, ?3, ?4)",
                        params![doc, status.label(), core as i64, level],
                    )
                    .unwrap();
                }
            }
        }
        conn.execute_batch(LEGACY_VIEWS).unwrap();
        let mut st = conn.prepare("SELECT doc, status, core, level, base FROM temp.laws").unwrap();
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Status>(1)?,
                    r.get::<_, i64>(2)? != 0,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .unwrap();
        for row in rows {
            let (doc, status, core, level, base) = row.unwrap();
            assert_eq!(base, law_base(status, core, &level, doc), "{status:?} {core} {level}");
        }
    }

    /// The single-hanzi index keeps no column sizes, so a law is forgotten by its tokens: after
    /// removing it, none of its characters leads back to its rows.
    #[test]
    fn a_removed_law_leaves_no_rows_in_the_indexes() {
        let mut conn = Connection::open_in_memory().unwrap();
        for schema in [SCHEMA, BLOCKS_SCHEMA, INDEX_SCHEMA] {
            conn.execute_batch(schema).unwrap();
        }
        let law = |title: &str, text: &str| LawDoc {
            id: title.to_owned(),
            title: title.to_owned(),
            short_name: title.to_owned(),
            category: "法律".to_owned(),
            level: "法律".to_owned(),
            status: Status::InForce,
            publish_date: None,
            effective_date: None,
            history: Vec::new(),
            core: true,
            source: Default::default(),
            blocks: vec![
                Block::Heading { level: 1, text: "第一章 总则".to_owned() },
                Block::Article { label: "第一条".to_owned(), number: 1, text: text.to_owned() },
            ],
        };
        let tx = conn.transaction().unwrap();
        insert_doc(&tx, 1, "a", &law("鲲鹏法", "鲲鹏 调解协议 ABC")).unwrap();
        insert_doc(&tx, 2, "b", &law("调解法", "调解协议")).unwrap();
        remove_doc(&tx, 1).unwrap();
        tx.commit().unwrap();
        let count = |table: &str, token: &str| -> i64 {
            conn.query_row(
                &format!("SELECT count(*) FROM {table} WHERE {table} MATCH ?1"),
                [format!("\"{token}\"")],
                |r| r.get(0),
            )
            .unwrap()
        };
        for c in ["鲲", "鹏"] {
            assert_eq!(count("article_uni", c), 0, "{c} still indexed");
        }
        assert_eq!(count("article_bi", "鲲鹏"), 0);
        // The law that stays is still found by each of its characters.
        for c in ["调", "解", "协", "议"] {
            assert_eq!(count("article_uni", c), 1, "{c}");
        }
    }

    /// A kill between the switch and the clean-up leaves three generations; a kill in a build
    /// leaves a `.partial`. The sweep keeps `current` and the one a roll-back returns to.
    #[test]
    fn the_sweep_keeps_current_and_the_roll_back_generation() {
        let tmp = tempfile::tempdir().unwrap();
        let gens = tmp.path().join("generations");
        let make = |name: &str| {
            std::fs::create_dir_all(gens.join(name)).unwrap();
            std::fs::write(gens.join(name).join("content.db"), b"").unwrap();
        };
        let names = || {
            let mut v: Vec<String> = std::fs::read_dir(&gens)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        for g in ["gen-000001", "gen-000002", "gen-000003", "gen-000004.partial"] {
            make(g);
        }
        let next = sweep_generations(&gens, Some(&gens.join("gen-000003"))).unwrap();
        assert_eq!(next, 4);
        assert_eq!(names(), ["gen-000002", "gen-000003"]);
        // After a roll-back `current` is the older one; the newer one stays for the undo.
        let next = sweep_generations(&gens, Some(&gens.join("gen-000002"))).unwrap();
        assert_eq!((next, names()), (4, vec!["gen-000002".to_owned(), "gen-000003".to_owned()]));
        // A current generation without its database is refused, not built upon.
        std::fs::remove_file(gens.join("gen-000003/content.db")).unwrap();
        assert!(sweep_generations(&gens, Some(&gens.join("gen-000003"))).is_err());
    }
}
