//! Versioned migrations of the terminal database. A migration runs in one transaction and
//! bumps `PRAGMA user_version`; never edit a released migration, add a new one.

use crate::error::StorageError;
use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: counters, the transaction journal, the reversal queue, batches, downloads, SAF.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO meta (key, value) VALUES ('trace', '0'), ('batch', '1');

    CREATE TABLE txn (
        id               INTEGER PRIMARY KEY,
        request_id       TEXT    NOT NULL UNIQUE,
        kind             TEXT    NOT NULL,
        state            TEXT    NOT NULL,
        batch            INTEGER NOT NULL,
        trace            INTEGER NOT NULL,
        amount           INTEGER NOT NULL,
        approved_amount  INTEGER,
        response_code    TEXT,
        rrn              TEXT,
        auth_code        TEXT,
        settlement_date  TEXT,
        card_org         TEXT,
        balance          TEXT,
        pan_masked       TEXT,
        pan_sealed       BLOB,
        expiry           TEXT,
        entry_mode       TEXT,
        psn              TEXT,
        icc_data         BLOB,
        domestic         INTEGER NOT NULL DEFAULT 1,
        original_id      INTEGER REFERENCES txn(id),
        local_date       TEXT    NOT NULL,
        local_time       TEXT    NOT NULL,
        request_fields   TEXT    NOT NULL DEFAULT '{}',
        voided           INTEGER NOT NULL DEFAULT 0,
        refunded_amount  INTEGER NOT NULL DEFAULT 0,
        completed        INTEGER NOT NULL DEFAULT 0,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        UNIQUE (batch, trace)
    );
    CREATE INDEX txn_rrn ON txn (rrn);
    CREATE INDEX txn_auth ON txn (auth_code, local_date);

    CREATE TABLE reversal (
        txn_id      INTEGER PRIMARY KEY REFERENCES txn(id),
        state       TEXT    NOT NULL,
        reason      TEXT    NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT,
        updated_at  INTEGER NOT NULL
    );

    CREATE TABLE saf (
        id          INTEGER PRIMARY KEY,
        txn_id      INTEGER REFERENCES txn(id),
        kind        TEXT    NOT NULL,
        state       TEXT    NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT,
        payload     TEXT    NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
    );

    CREATE TABLE batch (
        number       INTEGER PRIMARY KEY,
        state        TEXT    NOT NULL,
        opened_at    INTEGER NOT NULL,
        closed_at    INTEGER,
        result       TEXT,
        upload_next  INTEGER NOT NULL DEFAULT 0,
        report       TEXT
    );
    INSERT INTO batch (number, state, opened_at) VALUES (1, 'open', 0);

    CREATE TABLE download (
        kind   TEXT NOT NULL,
        id     TEXT NOT NULL,
        data   BLOB NOT NULL,
        PRIMARY KEY (kind, id)
    );
    "#,
    // 2: QR orders (scanned payment codes and merchant-presented dynamic codes) and their
    // refunds; one row per attempt, written before the gateway call that depends on it.
    r#"
    INSERT INTO meta (key, value) VALUES ('qr_seq', '0');

    CREATE TABLE qr_order (
        id                INTEGER PRIMARY KEY,
        request_id        TEXT    NOT NULL UNIQUE,
        order_id          TEXT    NOT NULL,
        kind              TEXT    NOT NULL,
        out_trade_no      TEXT    NOT NULL UNIQUE,
        channel           TEXT,
        amount            INTEGER NOT NULL,
        masked_code       TEXT,
        subject           TEXT,
        state             TEXT    NOT NULL,
        paid_amount       INTEGER NOT NULL DEFAULT 0,
        refunded_amount   INTEGER NOT NULL DEFAULT 0,
        reverse_refunded  INTEGER NOT NULL DEFAULT 0,
        late_success      INTEGER NOT NULL DEFAULT 0,
        voided            INTEGER NOT NULL DEFAULT 0,
        acknowledged      INTEGER NOT NULL DEFAULT 0,
        error_code        TEXT,
        last_error        TEXT,
        channel_trade_no  TEXT,
        paid_time         TEXT,
        code_url          TEXT,
        pay_sent_at       INTEGER NOT NULL,
        deadline_at       INTEGER NOT NULL,
        reverse_attempts  INTEGER NOT NULL DEFAULT 0,
        batch             INTEGER NOT NULL,
        card_seq          INTEGER NOT NULL,
        local_date        TEXT    NOT NULL,
        local_time        TEXT    NOT NULL,
        created_at        INTEGER NOT NULL,
        updated_at        INTEGER NOT NULL
    );
    CREATE INDEX qr_order_business ON qr_order (order_id);
    CREATE INDEX qr_order_state ON qr_order (state);

    CREATE TABLE qr_refund (
        id                 INTEGER PRIMARY KEY,
        request_id         TEXT    NOT NULL UNIQUE,
        order_ref          INTEGER NOT NULL REFERENCES qr_order(id),
        out_refund_no      TEXT    NOT NULL UNIQUE,
        kind               TEXT    NOT NULL,
        amount             INTEGER NOT NULL,
        state              TEXT    NOT NULL,
        error_code         TEXT,
        last_error         TEXT,
        channel_refund_no  TEXT,
        refund_time        TEXT,
        attempts           INTEGER NOT NULL DEFAULT 0,
        batch              INTEGER NOT NULL,
        card_seq           INTEGER NOT NULL,
        local_date         TEXT    NOT NULL,
        local_time         TEXT    NOT NULL,
        created_at         INTEGER NOT NULL,
        updated_at         INTEGER NOT NULL
    );
    CREATE INDEX qr_refund_order ON qr_refund (order_ref);
    "#,
];

/// Brings the database to the latest schema.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StorageError> {
    let version: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map_err(StorageError::wrap("read schema version"))? as usize;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn
            .transaction()
            .map_err(StorageError::wrap("begin migration"))?;
        tx.execute_batch(sql)
            .map_err(StorageError::wrap("apply migration"))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .map_err(StorageError::wrap("bump schema version"))?;
        tx.commit()
            .map_err(StorageError::wrap("commit migration"))?;
    }
    Ok(())
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();
