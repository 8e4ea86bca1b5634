//! SQLite persistence: one table per entity kind, each row the entity's JSON blob keyed by its
//! natural key. Memory is the source of truth for reads; every write goes here first (in the
//! caller's critical section) so an acknowledged change survives `kill -9` (WAL,
//! `synchronous=NORMAL`: a commit is in the WAL file before the call returns).
//!
//! A failing write is a 503 (never a 500), and the caller then leaves memory unchanged.

use anyhow::Context;
use rusqlite::{params, Connection, OptionalExtension};

use super::model::{
    IdentityRecord, MessageRecord, ParticipantRecord, ReceiptRecord, RepeatRecord, ThreadRecord,
};
use super::Storage;
use crate::error::ApiError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS identities (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS threads (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (thread_id TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (thread_id, seq));
CREATE TABLE IF NOT EXISTS participants (thread_id TEXT NOT NULL, raw_id TEXT NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (thread_id, raw_id));
CREATE TABLE IF NOT EXISTS read_receipts (thread_id TEXT NOT NULL, sender TEXT NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (thread_id, sender));
CREATE TABLE IF NOT EXISTS repeatability (caller TEXT NOT NULL, request_id TEXT NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (caller, request_id));
";

/// One change to persist.
pub(crate) enum Write<'a> {
    Identity(&'a IdentityRecord),
    DeleteIdentity(&'a str),
    Thread(&'a ThreadRecord),
    /// `(thread id, message)`.
    Message(&'a str, &'a MessageRecord),
    /// `(thread id, participant)`.
    Participant(&'a str, &'a ParticipantRecord),
    /// `(thread id, raw id)`.
    DeleteParticipant(&'a str, &'a str),
    /// `(thread id, receipt)`.
    Receipt(&'a str, &'a ReceiptRecord),
    /// `(caller, request id, answer)`.
    Repeat(&'a str, &'a str, &'a RepeatRecord),
}

/// Everything stored, as read back on open.
#[derive(Default)]
pub(crate) struct Loaded {
    pub identities: Vec<IdentityRecord>,
    pub threads: Vec<ThreadRecord>,
    /// Ordered by thread, then sequence id.
    pub messages: Vec<(String, MessageRecord)>,
    pub participants: Vec<(String, ParticipantRecord)>,
    pub receipts: Vec<(String, ReceiptRecord)>,
    pub repeats: Vec<(String, String, RepeatRecord)>,
}

/// The database connection. Not `Sync`: callers keep it behind a mutex.
pub(crate) struct Db {
    conn: Connection,
}

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    ApiError::service_unavailable(format!("The emulator's database is unavailable: {e}."))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, ApiError> {
    serde_json::to_string(v).map_err(unavailable)
}

impl Db {
    /// Opens (creating if needed) the database and its tables.
    pub(crate) fn open(storage: &Storage) -> anyhow::Result<Db> {
        let conn = match storage {
            Storage::File(path) => Connection::open(path)
                .with_context(|| format!("opening database {}", path.display()))?,
            Storage::InMemory => {
                Connection::open_in_memory().context("opening in-memory database")?
            }
        };
        // journal_mode answers with a row, so it is queried rather than executed.
        let _mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .context("enabling WAL")?;
        conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;")
            .context("setting pragmas")?;
        conn.execute_batch(SCHEMA).context("creating tables")?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Db { conn })
    }

    /// A value from the `meta` table.
    pub(crate) fn meta(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .with_context(|| format!("reading meta '{key}'"))
    }

    /// Stores a value in the `meta` table.
    pub(crate) fn put_meta(&self, key: &str, value: &[u8]) -> anyhow::Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .with_context(|| format!("writing meta '{key}'"))?;
        Ok(())
    }

    /// Persists `writes` atomically (one transaction).
    pub(crate) fn apply(&mut self, writes: &[Write<'_>]) -> Result<(), ApiError> {
        // One statement is atomic on its own; skipping BEGIN/COMMIT saves two statements on
        // the hottest path (send message).
        if let [single] = writes {
            return apply_one(&self.conn, single);
        }
        let tx = self.conn.transaction().map_err(unavailable)?;
        for w in writes {
            apply_one(&tx, w).map_err(unavailable)?;
        }
        tx.commit().map_err(unavailable)
    }

    /// Runs raw SQL (tests use it to make writes fail).
    #[cfg(test)]
    pub(crate) fn execute_batch(&self, sql: &str) -> rusqlite::Result<()> {
        self.conn.execute_batch(sql)
    }

    /// Reads every table back.
    pub(crate) fn load(&self) -> anyhow::Result<Loaded> {
        fn rows<T: serde::de::DeserializeOwned, K>(
            conn: &Connection,
            sql: &str,
            mut key: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<K>,
        ) -> anyhow::Result<Vec<(K, T)>> {
            let mut stmt = conn.prepare(sql)?;
            let mut out = Vec::new();
            let mut q = stmt.query([])?;
            while let Some(row) = q.next()? {
                let k = key(row)?;
                let json: String = row.get("json")?;
                let v: T = serde_json::from_str(&json)
                    .with_context(|| format!("decoding a stored row of `{sql}`"))?;
                out.push((k, v));
            }
            Ok(out)
        }
        let unit = |_: &rusqlite::Row<'_>| Ok(());
        let thread_key = |r: &rusqlite::Row<'_>| r.get::<_, String>("thread_id");
        Ok(Loaded {
            identities: rows(&self.conn, "SELECT json FROM identities", unit)?
                .into_iter()
                .map(|(_, v)| v)
                .collect(),
            threads: rows(&self.conn, "SELECT json FROM threads", unit)?
                .into_iter()
                .map(|(_, v)| v)
                .collect(),
            messages: rows(
                &self.conn,
                "SELECT thread_id, json FROM messages ORDER BY thread_id, seq",
                thread_key,
            )?,
            participants: rows(
                &self.conn,
                "SELECT thread_id, json FROM participants",
                thread_key,
            )?,
            receipts: rows(
                &self.conn,
                "SELECT thread_id, json FROM read_receipts",
                thread_key,
            )?,
            repeats: rows(
                &self.conn,
                "SELECT caller, request_id, json FROM repeatability",
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )?
            .into_iter()
            .map(|((c, id), v)| (c, id, v))
            .collect(),
        })
    }
}

fn exec(tx: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<(), ApiError> {
    tx.prepare_cached(sql)
        .and_then(|mut s| s.execute(p))
        .map(|_| ())
        .map_err(unavailable)
}

fn apply_one(tx: &Connection, w: &Write<'_>) -> Result<(), ApiError> {
    match w {
        Write::Identity(r) => exec(
            tx,
            "INSERT OR REPLACE INTO identities (id, json) VALUES (?1, ?2)",
            params![r.id, to_json(r)?],
        ),
        Write::DeleteIdentity(id) => exec(tx, "DELETE FROM identities WHERE id = ?1", params![id]),
        Write::Thread(r) => exec(
            tx,
            "INSERT OR REPLACE INTO threads (id, json) VALUES (?1, ?2)",
            params![r.id, to_json(r)?],
        ),
        Write::Message(t, m) => exec(
            tx,
            "INSERT OR REPLACE INTO messages (thread_id, seq, json) VALUES (?1, ?2, ?3)",
            params![t, m.seq as i64, to_json(m)?],
        ),
        Write::Participant(t, p) => exec(
            tx,
            "INSERT OR REPLACE INTO participants (thread_id, raw_id, json) VALUES (?1, ?2, ?3)",
            params![t, p.raw_id, to_json(p)?],
        ),
        Write::DeleteParticipant(t, id) => exec(
            tx,
            "DELETE FROM participants WHERE thread_id = ?1 AND raw_id = ?2",
            params![t, id],
        ),
        Write::Receipt(t, r) => exec(
            tx,
            "INSERT OR REPLACE INTO read_receipts (thread_id, sender, json) VALUES (?1, ?2, ?3)",
            params![t, r.sender, to_json(r)?],
        ),
        Write::Repeat(caller, id, r) => exec(
            tx,
            "INSERT OR REPLACE INTO repeatability (caller, request_id, json) VALUES (?1, ?2, ?3)",
            params![caller, id, to_json(r)?],
        ),
    }
}
