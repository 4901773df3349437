//! The state file: migrations, refusal of a newer schema, file modes, the read-only open.

use super::*;

#[test]
fn migrations_apply_once_and_newer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/state.db");
    drop(StateStore::open(&path).unwrap());
    let s = StateStore::open(&path).unwrap();
    let v: i64 = s
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, schema_version());
    s.conn()
        .pragma_update(None, "user_version", schema_version() + 1)
        .unwrap();
    drop(s);
    let e = StateStore::open(&path).err().unwrap().to_string();
    assert!(e.contains("newer"), "{e}");
}

#[test]
fn file_and_companions_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let s = StateStore::open(&path).unwrap();
    s.save_key("k", "secret", "now").unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let p = format!("{}{suffix}", path.display());
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{p}");
    }
    assert!(!format!("{:?}", s.key().unwrap()).contains("secret\""));
}

#[test]
fn read_only_open_creates_nothing_and_refuses_other_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo/state.db");
    let e = StateStore::open_read_only(&missing).err().unwrap();
    assert!(matches!(e, StateError::Missing { .. }), "{e}");
    assert!(!dir.path().join("typo").exists(), "no folder made");
    let path = dir.path().join("s.db");
    drop(StateStore::open(&path).unwrap());
    let s = StateStore::open_read_only(&path).unwrap();
    assert!(s.key().unwrap().is_none());
    assert!(s.set_setting("k", "v").is_err(), "read-only");
    drop(s);
    let c = Connection::open(&path).unwrap();
    c.pragma_update(None, "user_version", 1).unwrap();
    drop(c);
    let e = StateStore::open_read_only(&path).err().unwrap().to_string();
    assert!(e.contains("older") && e.contains("version 1"), "{e}");
}

#[test]
fn dropped_transaction_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = StateStore::open(&dir.path().join("s.db")).unwrap();
    {
        let tx = s.conn.transaction().unwrap();
        tx.execute("INSERT INTO synced_statuses VALUES ('Open')", [])
            .unwrap();
    }
    assert!(s.synced_statuses().unwrap().is_empty());
}

#[test]
fn a_removed_key_leaves_no_trace_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let s = StateStore::open(&path).unwrap();
    s.save_key("k", "SECRET-KEY-BYTES-0123", "now").unwrap();
    let on: i64 = s
        .conn()
        .query_row("PRAGMA secure_delete", [], |r| r.get(0))
        .unwrap();
    assert_eq!(on, 1);
    assert!(s.remove_key().unwrap());
    drop(s);
    for suffix in ["", "-wal"] {
        let bytes = std::fs::read(format!("{}{suffix}", path.display())).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("SECRET-KEY-BYTES"),
            "{suffix}"
        );
    }
}

#[test]
fn a_batch_keeps_its_writes_only_when_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let s = StateStore::open(&path).unwrap();
    {
        let _batch = s.batch().unwrap();
        s.set_setting("dropped", "1").unwrap();
        // An early return: the batch is dropped uncommitted.
    }
    assert_eq!(s.setting("dropped").unwrap(), None, "rolled back on drop");
    let batch = s.batch().unwrap();
    s.set_setting("kept", "1").unwrap();
    batch.commit().unwrap();
    drop(s);
    let again = StateStore::open(&path).unwrap();
    assert_eq!(again.setting("kept").unwrap().as_deref(), Some("1"));
    // Nothing left open: a second writer gets the lock at once.
    let other = StateStore::open(&path).unwrap();
    other.batch().unwrap().commit().unwrap();
}
