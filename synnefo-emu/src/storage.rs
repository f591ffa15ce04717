//! The data directory (`--data-dir`): what the emulator keeps across
//! restarts. A lock file keeps a second emulator out; an SQLite database
//! (WAL mode, one transaction per change) of a known schema version holds
//! the state. Without a data dir the emulator keeps everything in memory.
//!
//! What is kept: the users, with their uuids, tokens and names, so that a
//! `--user` given again is the same user (the same uuid, the same Pithos
//! account); the components (services) and OAuth2 clients with their tokens
//! and secrets; Pithos' blocks, as files under `blocks/`
//! ([`crate::pithos::block_files`]), so that stored data does not live in
//! memory; Pithos' namespace on a schema modelled on Synnefo's
//! ([`crate::pithos::persist`]); and the other services' state as one JSON
//! document each (`service_state`). Every request's changes are written in
//! one transaction before its reply goes out ([`crate::persistence`]).

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

/// The schema this emulator writes and reads (1: users; 2: components and
/// OAuth2 clients too; 3: Pithos' namespace and the services' states; an
/// older database is brought to 3 on open).
pub const SCHEMA_VERSION: i64 = 3;

/// The tables version 3 adds to version 2.
fn tables_v3() -> String {
    format!(
        "{}
         CREATE TABLE service_state (service TEXT PRIMARY KEY, state TEXT NOT NULL);",
        crate::pithos::persist::TABLES
    )
}

/// The tables version 2 adds to version 1.
const TABLES_V2: &str = "CREATE TABLE components (name TEXT PRIMARY KEY, token TEXT NOT NULL);
     CREATE TABLE oauth2_clients (
         id TEXT PRIMARY KEY,
         secret TEXT NOT NULL,
         redirect_urls TEXT NOT NULL
     );";

/// The database file, in the data dir.
pub const DB_FILE: &str = "synnefo-emu.sqlite3";

/// The lock file, in the data dir, held while an emulator uses it.
pub const LOCK_FILE: &str = "lock";

/// Why a data dir cannot be used; each says the directory and the fix.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// It cannot be created, opened or written.
    #[error("cannot use data dir {dir}: {source}: choose a directory this user can write to")]
    Unusable {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Another emulator holds its lock.
    #[error("data dir {dir} is in use by another synnefo-emu (it holds {lock}): stop that emulator or choose another --data-dir")]
    InUse {
        /// The directory.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// A newer emulator wrote it.
    #[error("data dir {dir} holds schema version {found}, newer than this synnefo-emu's {SCHEMA_VERSION}: run a newer synnefo-emu on it, or choose another --data-dir")]
    Newer {
        /// The directory.
        dir: PathBuf,
        /// The version found.
        found: i64,
    },
    /// Its database is not one the emulator made.
    #[error("data dir {dir} holds a database synnefo-emu did not make ({what}): choose another --data-dir")]
    Unknown {
        /// The directory.
        dir: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// The database refused a read or a write (a full disk, a damaged
    /// file).
    #[error("data dir {dir}: the database failed: {source} (is the disk full?)")]
    Database {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: rusqlite::Error,
    },
    /// The emulator using it has stopped.
    #[error("data dir {dir} was closed: this emulator has stopped")]
    Closed {
        /// The directory.
        dir: PathBuf,
    },
    /// A stored user and a `--user` disagree on the uuid.
    #[error("user {email} has uuid {stored} in data dir {dir}, and --user pins {pinned}: drop the uuid from --user, or choose another --data-dir")]
    UuidConflict {
        /// The directory.
        dir: PathBuf,
        /// The user's email.
        email: String,
        /// The uuid stored.
        stored: String,
        /// The uuid asked for.
        pinned: String,
    },
}

fn document_digest(document: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(document.as_bytes()).into()
}

/// The open database of a data dir, while it is held.
struct ConnectionGuard<'a>(std::sync::MutexGuard<'a, Option<(File, Connection)>>);

impl std::ops::Deref for ConnectionGuard<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match &*self.0 {
            Some((_, db)) => db,
            // `connection()` hands out a guard only while open.
            None => unreachable!("a closed data dir's connection"),
        }
    }
}

impl std::ops::DerefMut for ConnectionGuard<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        match &mut *self.0 {
            Some((_, db)) => db,
            None => unreachable!("a closed data dir's connection"),
        }
    }
}

impl StorageError {
    /// Whether the disk of the data dir is full.
    pub fn is_disk_full(&self) -> bool {
        match self {
            StorageError::Database { source, .. } => matches!(
                source.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DiskFull)
            ),
            StorageError::Unusable { source, .. } => {
                source.kind() == std::io::ErrorKind::StorageFull
            }
            _ => false,
        }
    }
}

/// A user as the data dir keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredUser {
    /// The uuid.
    pub uuid: String,
    /// The email (display name).
    pub email: String,
    /// The real name.
    pub realname: String,
    /// The authentication token.
    pub token: String,
}

/// An open data dir: its lock held until dropped.
#[derive(Debug)]
pub struct DataDir {
    dir: PathBuf,
    /// The lock file (held) and the database, until [`DataDir::close`].
    open: Mutex<Option<(File, Connection)>>,
    /// A digest of each document last written to `service_state`, by
    /// service: an unchanged state is not written again.
    saved: Mutex<HashMap<String, [u8; 32]>>,
}

impl DataDir {
    /// Opens (creating if needed) a data dir: takes its lock, opens its
    /// database and checks or creates its schema.
    pub fn open(dir: &Path) -> Result<DataDir, StorageError> {
        let unusable = |source| StorageError::Unusable {
            dir: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(unusable)?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(unusable)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(StorageError::InUse {
                    dir: dir.to_path_buf(),
                    lock: lock_path,
                })
            }
            Err(TryLockError::Error(e)) => return Err(unusable(e)),
        }
        let database = |source| StorageError::Database {
            dir: dir.to_path_buf(),
            source,
        };
        let db = Connection::open(dir.join(DB_FILE)).map_err(database)?;
        // WAL: readers do not wait for the writer, and a commit is one
        // append; NORMAL sync keeps every committed change through a crash
        // of the process (kill -9), as the emulator promises.
        db.pragma_update(None, "journal_mode", "WAL")
            .map_err(database)?;
        db.pragma_update(None, "synchronous", "NORMAL")
            .map_err(database)?;
        db.pragma_update(None, "foreign_keys", "ON")
            .map_err(database)?;
        let data = DataDir {
            dir: dir.to_path_buf(),
            open: Mutex::new(Some((lock, db))),
            saved: Mutex::default(),
        };
        data.check_schema()?;
        Ok(data)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn database(&self, source: rusqlite::Error) -> StorageError {
        StorageError::Database {
            dir: self.dir.clone(),
            source,
        }
    }

    fn connection(&self) -> Result<ConnectionGuard<'_>, StorageError> {
        let guard = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            return Err(StorageError::Closed {
                dir: self.dir.clone(),
            });
        }
        Ok(ConnectionGuard(guard))
    }

    /// Runs `work` in one transaction and commits it.
    pub fn write<R>(
        &self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<R>,
    ) -> Result<R, StorageError> {
        let mut db = self.connection()?;
        let tx = db.transaction().map_err(|e| self.database(e))?;
        let result = work(&tx).map_err(|e| self.database(e))?;
        tx.commit().map_err(|e| self.database(e))?;
        Ok(result)
    }

    /// Reads with `work`.
    pub fn read<R>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<R>,
    ) -> Result<R, StorageError> {
        let db = self.connection()?;
        work(&db).map_err(|e| self.database(e))
    }

    /// Notes that `document` is what the data dir holds for `service`.
    pub fn note_saved(&self, service: &str, document: &str) {
        let digest = document_digest(document);
        self.saved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(service.to_string(), digest);
    }

    /// Whether `document` is what the data dir holds for `service`.
    pub fn is_saved(&self, service: &str, document: &str) -> bool {
        let digest = document_digest(document);
        self.saved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(service)
            == Some(&digest)
    }

    /// Closes the database and lets go of the lock: another emulator may
    /// use the data dir from now on, and this one writes no more.
    pub fn close(&self) {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner()).take();
        drop(open);
    }

    /// Creates the schema of a new database, or checks the version of an
    /// existing one.
    fn check_schema(&self) -> Result<(), StorageError> {
        let mut db = self.connection()?;
        let tables: i64 = db
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |row| row.get(0),
            )
            .map_err(|e| self.database(e))?;
        if tables == 0 {
            let tx = db.transaction().map_err(|e| self.database(e))?;
            tx.execute_batch(
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE users (
                     uuid TEXT PRIMARY KEY,
                     email TEXT NOT NULL UNIQUE,
                     realname TEXT NOT NULL,
                     token TEXT NOT NULL,
                     position INTEGER NOT NULL
                 );",
            )
            .map_err(|e| self.database(e))?;
            tx.execute_batch(TABLES_V2).map_err(|e| self.database(e))?;
            tx.execute_batch(&tables_v3())
                .map_err(|e| self.database(e))?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                params![SCHEMA_VERSION.to_string()],
            )
            .map_err(|e| self.database(e))?;
            return tx.commit().map_err(|e| self.database(e));
        }
        let unknown = |what: &str| StorageError::Unknown {
            dir: self.dir.clone(),
            what: what.to_string(),
        };
        let version: Option<String> = db
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(|_| unknown("no schema version"))?;
        let found: i64 = version
            .as_deref()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| unknown("no schema version"))?;
        if found > SCHEMA_VERSION {
            return Err(StorageError::Newer {
                dir: self.dir.clone(),
                found,
            });
        }
        if found < 1 {
            return Err(unknown(&format!("schema version {found}")));
        }
        if found < SCHEMA_VERSION {
            // Version 1 to 2: the components' and OAuth2 clients' tables;
            // 2 to 3: Pithos' namespace and the services' states.
            let tx = db.transaction().map_err(|e| self.database(e))?;
            if found < 2 {
                tx.execute_batch(TABLES_V2).map_err(|e| self.database(e))?;
            }
            tx.execute_batch(&tables_v3())
                .map_err(|e| self.database(e))?;
            tx.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'schema_version'",
                params![SCHEMA_VERSION.to_string()],
            )
            .map_err(|e| self.database(e))?;
            tx.commit().map_err(|e| self.database(e))?;
        }
        Ok(())
    }

    /// The components (services) kept, as (name, token).
    pub fn components(&self) -> Result<Vec<(String, String)>, StorageError> {
        let db = self.connection()?;
        let mut query = db
            .prepare("SELECT name, token FROM components ORDER BY name")
            .map_err(|e| self.database(e))?;
        let rows = query
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(|e| self.database(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.database(e))
    }

    /// Keeps these components (by name), in one transaction.
    pub fn save_components(&self, components: &[(String, String)]) -> Result<(), StorageError> {
        let mut db = self.connection()?;
        let tx = db.transaction().map_err(|e| self.database(e))?;
        for (name, token) in components {
            tx.execute(
                "INSERT INTO components (name, token) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET token = excluded.token",
                params![name, token],
            )
            .map_err(|e| self.database(e))?;
        }
        tx.commit().map_err(|e| self.database(e))
    }

    /// The OAuth2 clients kept, as (id, secret, redirect URLs).
    pub fn oauth2_clients(&self) -> Result<Vec<(String, String, Vec<String>)>, StorageError> {
        let db = self.connection()?;
        let mut query = db
            .prepare("SELECT id, secret, redirect_urls FROM oauth2_clients ORDER BY id")
            .map_err(|e| self.database(e))?;
        let rows = query
            .query_map([], |row| {
                let urls: String = row.get(2)?;
                Ok((row.get(0)?, row.get(1)?, urls))
            })
            .map_err(|e| self.database(e))?;
        let mut clients = Vec::new();
        for row in rows {
            let (id, secret, urls) = row.map_err(|e| self.database(e))?;
            let urls: Vec<String> =
                serde_json::from_str(&urls).map_err(|e| StorageError::Unknown {
                    dir: self.dir.clone(),
                    what: format!("the redirect URLs of OAuth2 client {id}: {e}"),
                })?;
            clients.push((id, secret, urls));
        }
        Ok(clients)
    }

    /// Keeps these OAuth2 clients (by id), in one transaction.
    pub fn save_oauth2_clients(
        &self,
        clients: &[(String, String, Vec<String>)],
    ) -> Result<(), StorageError> {
        let mut db = self.connection()?;
        let tx = db.transaction().map_err(|e| self.database(e))?;
        for (id, secret, urls) in clients {
            let urls = serde_json::Value::from(urls.clone()).to_string();
            tx.execute(
                "INSERT INTO oauth2_clients (id, secret, redirect_urls) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET
                     secret = excluded.secret, redirect_urls = excluded.redirect_urls",
                params![id, secret, urls],
            )
            .map_err(|e| self.database(e))?;
        }
        tx.commit().map_err(|e| self.database(e))
    }

    /// The users kept, in the order they were first given.
    pub fn users(&self) -> Result<Vec<StoredUser>, StorageError> {
        let db = self.connection()?;
        let mut query = db
            .prepare("SELECT uuid, email, realname, token FROM users ORDER BY position")
            .map_err(|e| self.database(e))?;
        let rows = query
            .query_map([], |row| {
                Ok(StoredUser {
                    uuid: row.get(0)?,
                    email: row.get(1)?,
                    realname: row.get(2)?,
                    token: row.get(3)?,
                })
            })
            .map_err(|e| self.database(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.database(e))
    }

    /// Keeps these users, in this order, in one transaction (replacing
    /// what was kept of them).
    pub fn save_users(&self, users: &[StoredUser]) -> Result<(), StorageError> {
        let mut db = self.connection()?;
        let tx = db.transaction().map_err(|e| self.database(e))?;
        for (position, user) in users.iter().enumerate() {
            tx.execute(
                "INSERT INTO users (uuid, email, realname, token, position)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (uuid) DO UPDATE SET
                     email = excluded.email, realname = excluded.realname,
                     token = excluded.token, position = excluded.position",
                params![
                    user.uuid,
                    user.email,
                    user.realname,
                    user.token,
                    i64::try_from(position).unwrap_or(i64::MAX)
                ],
            )
            .map_err(|e| self.database(e))?;
        }
        tx.commit().map_err(|e| self.database(e))
    }
}

/// The users of a start on a data dir: each one given keeps the uuid the
/// data dir has for its email (a uuid pinned otherwise is refused); users
/// kept but not given stay, after the given ones; with none given and none
/// kept, `fallback` (the default user) is the one.
pub fn merge_users(
    dir: &Path,
    given: Vec<StoredUser>,
    pinned: &[bool],
    stored: Vec<StoredUser>,
    fallback: StoredUser,
) -> Result<Vec<StoredUser>, StorageError> {
    if given.is_empty() {
        return Ok(if stored.is_empty() {
            vec![fallback]
        } else {
            stored
        });
    }
    let mut merged = Vec::new();
    for (user, pinned) in given.into_iter().zip(pinned.iter().copied()) {
        match stored.iter().find(|s| s.email == user.email) {
            Some(kept) if pinned && kept.uuid != user.uuid => {
                return Err(StorageError::UuidConflict {
                    dir: dir.to_path_buf(),
                    email: user.email,
                    stored: kept.uuid.clone(),
                    pinned: user.uuid,
                })
            }
            Some(kept) => merged.push(StoredUser {
                uuid: kept.uuid.clone(),
                ..user
            }),
            None => merged.push(user),
        }
    }
    for kept in stored {
        if !merged
            .iter()
            .any(|m| m.email == kept.email || m.uuid == kept.uuid)
        {
            merged.push(kept);
        }
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(email: &str, uuid: &str) -> StoredUser {
        StoredUser {
            uuid: uuid.into(),
            email: email.into(),
            realname: email.into(),
            token: format!("{email}-token"),
        }
    }

    #[test]
    fn given_users_keep_their_stored_uuids_and_the_rest_stay() {
        let dir = Path::new("/d");
        let stored = vec![user("a@x", "ua"), user("b@x", "ub")];
        let merged = merge_users(
            dir,
            vec![user("b@x", "new")],
            &[false],
            stored.clone(),
            user("d@x", "ud"),
        )
        .unwrap();
        assert_eq!(merged[0].uuid, "ub");
        assert_eq!(merged[1].uuid, "ua");
        assert_eq!(merged.len(), 2);
        let conflict = merge_users(
            dir,
            vec![user("a@x", "other")],
            &[true],
            stored,
            user("d", "d"),
        );
        assert!(matches!(conflict, Err(StorageError::UuidConflict { .. })));
        let fresh = merge_users(dir, vec![], &[], vec![], user("d@x", "ud")).unwrap();
        assert_eq!(fresh, vec![user("d@x", "ud")]);
    }
}
