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
    // 3: request ids scoped per caller (the cashier's own scope is ''), with the fingerprint
    // of the request they were first used for; the reference indexes hold only rows that
    // have a reference (an insert before sending touches neither); the journal row in state
    // `sending` is itself the armed reversal, so `reversal` holds only lost answers.
    // Foreign keys are off while the tables are rebuilt (`migrate`).
    r#"
    CREATE TABLE txn_v3 (
        id               INTEGER PRIMARY KEY,
        scope            TEXT    NOT NULL DEFAULT '',
        request_id       TEXT    NOT NULL,
        fingerprint      TEXT    NOT NULL DEFAULT '',
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
        UNIQUE (scope, request_id),
        UNIQUE (batch, trace)
    );
    INSERT INTO txn_v3 (id, request_id, kind, state, batch, trace, amount, approved_amount,
        response_code, rrn, auth_code, settlement_date, card_org, balance, pan_masked,
        pan_sealed, expiry, entry_mode, psn, icc_data, domestic, original_id, local_date,
        local_time, request_fields, voided, refunded_amount, completed, created_at, updated_at)
    SELECT id, request_id, kind, state, batch, trace, amount, approved_amount, response_code,
        rrn, auth_code, settlement_date, card_org, balance, pan_masked, pan_sealed, expiry,
        entry_mode, psn, icc_data, domestic, original_id, local_date, local_time,
        request_fields, voided, refunded_amount, completed, created_at, updated_at FROM txn;
    DROP TABLE txn;
    ALTER TABLE txn_v3 RENAME TO txn;
    CREATE INDEX txn_rrn ON txn (rrn, local_date) WHERE rrn IS NOT NULL;
    CREATE INDEX txn_auth ON txn (auth_code, local_date) WHERE auth_code IS NOT NULL;

    DELETE FROM reversal WHERE state = 'armed';

    CREATE TABLE qr_order_v3 (
        id                INTEGER PRIMARY KEY,
        scope             TEXT    NOT NULL DEFAULT '',
        request_id        TEXT    NOT NULL,
        fingerprint       TEXT    NOT NULL DEFAULT '',
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
        updated_at        INTEGER NOT NULL,
        UNIQUE (scope, request_id)
    );
    INSERT INTO qr_order_v3 (id, request_id, order_id, kind, out_trade_no, channel, amount,
        masked_code, subject, state, paid_amount, refunded_amount, reverse_refunded,
        late_success, voided, acknowledged, error_code, last_error, channel_trade_no, paid_time,
        code_url, pay_sent_at, deadline_at, reverse_attempts, batch, card_seq, local_date,
        local_time, created_at, updated_at)
    SELECT id, request_id, order_id, kind, out_trade_no, channel, amount, masked_code, subject,
        state, paid_amount, refunded_amount, reverse_refunded, late_success, voided,
        acknowledged, error_code, last_error, channel_trade_no, paid_time, code_url,
        pay_sent_at, deadline_at, reverse_attempts, batch, card_seq, local_date, local_time,
        created_at, updated_at FROM qr_order;
    CREATE TABLE qr_refund_v3 (
        id                 INTEGER PRIMARY KEY,
        scope              TEXT    NOT NULL DEFAULT '',
        request_id         TEXT    NOT NULL,
        fingerprint        TEXT    NOT NULL DEFAULT '',
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
        updated_at         INTEGER NOT NULL,
        UNIQUE (scope, request_id)
    );
    INSERT INTO qr_refund_v3 (id, request_id, order_ref, out_refund_no, kind, amount, state,
        error_code, last_error, channel_refund_no, refund_time, attempts, batch, card_seq,
        local_date, local_time, created_at, updated_at)
    SELECT id, request_id, order_ref, out_refund_no, kind, amount, state, error_code,
        last_error, channel_refund_no, refund_time, attempts, batch, card_seq, local_date,
        local_time, created_at, updated_at FROM qr_refund;
    DROP TABLE qr_refund;
    DROP TABLE qr_order;
    ALTER TABLE qr_order_v3 RENAME TO qr_order;
    ALTER TABLE qr_refund_v3 RENAME TO qr_refund;
    CREATE INDEX qr_order_business ON qr_order (order_id);
    CREATE INDEX qr_order_state ON qr_order (state);
    CREATE INDEX qr_refund_order ON qr_refund (order_ref);

    -- The fingerprints the engine computes (`model::fingerprint`) for the rows written before
    -- this version, from the rows and their originals.
    UPDATE txn SET fingerprint = CASE kind
        WHEN 'balance' THEN 'balance'
        WHEN 'sale' THEN 'sale amount=' || amount
        WHEN 'preauth' THEN 'preauth amount=' || amount
        WHEN 'sale_void' THEN 'sale_void trace=' || COALESCE(
            (SELECT printf('%06d', o.trace) FROM txn o WHERE o.id = txn.original_id), '')
        WHEN 'completion_void' THEN 'completion_void trace=' || COALESCE(
            (SELECT printf('%06d', o.trace) FROM txn o WHERE o.id = txn.original_id), '')
        WHEN 'refund' THEN 'refund amount=' || amount || COALESCE(
            (SELECT ' rrn=' || o.rrn || ' date=' || o.local_date FROM txn o
             WHERE o.id = txn.original_id), '')
        WHEN 'preauth_void' THEN 'preauth_void' || COALESCE(
            (SELECT ' auth=' || o.auth_code || ' date=' || o.local_date FROM txn o
             WHERE o.id = txn.original_id), '')
        ELSE kind || ' amount=' || amount || COALESCE(
            (SELECT ' auth=' || o.auth_code || ' date=' || o.local_date FROM txn o
             WHERE o.id = txn.original_id), '')
        END;
    UPDATE qr_order SET fingerprint = CASE kind WHEN 'dynamic' THEN 'qr_dynamic' ELSE 'qr_pay' END
        || ' amount=' || amount || ' order=' || order_id;
    UPDATE qr_refund SET fingerprint = CASE kind WHEN 'void' THEN 'qr_void' ELSE 'qr_refund' END
        || ' original=' || COALESCE(
            (SELECT o.request_id FROM qr_order o WHERE o.id = qr_refund.order_ref), '')
        || CASE kind WHEN 'void' THEN '' ELSE ' amount=' || amount END;
    "#,
    // 4: what a merchant app adds to a card request: its own order number (queryable within
    // its scope) and the remark line printed on the receipt. QR attempts keep the merchant's
    // order number in `order_id` already.
    r#"
    ALTER TABLE txn ADD COLUMN order_no TEXT;
    ALTER TABLE txn ADD COLUMN receipt_remark TEXT;
    CREATE INDEX txn_scope_order_no ON txn(scope, order_no) WHERE order_no IS NOT NULL;
    CREATE INDEX qr_order_scope_order_id ON qr_order(scope, order_id);
    "#,
    // 5: operators and the supervisor (passwords as Argon2id PHC strings only; the supervisor's
    // factory account is created by the engine, which can hash), who is signed in, and the
    // check values of the work keys the last sign-in installed (the key status screen).
    r#"
    CREATE TABLE operator (
        number          TEXT PRIMARY KEY CHECK (length(number) = 2),
        role            TEXT NOT NULL CHECK (role IN ('supervisor', 'operator')),
        password_hash   TEXT NOT NULL,
        must_change     INTEGER NOT NULL DEFAULT 0,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until    INTEGER,
        signed_in       INTEGER NOT NULL DEFAULT 0,
        created_at      INTEGER NOT NULL,
        changed_at      INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX operator_one_signed_in ON operator (signed_in) WHERE signed_in = 1;
    "#,
];

/// Brings the database to the latest schema. Call it before foreign keys are switched on: a
/// migration may rebuild a table that others reference (SQLite's documented procedure); each
/// one checks the references before it commits.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StorageError> {
    let version: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map_err(StorageError::wrap("read schema version"))? as usize;
    if version > MIGRATIONS.len() {
        return Err(StorageError::corrupt(
            "open database",
            format!(
                "schema version {version} was written by a newer unipos (this one knows {}); \
                 update the app",
                MIGRATIONS.len()
            ),
        ));
    }
    // Off for the rebuilds (a no-op inside a transaction, so here); the caller turns them on.
    conn.pragma_update(None, "foreign_keys", "OFF")
        .map_err(StorageError::wrap("disable foreign keys for migration"))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn
            .transaction()
            .map_err(StorageError::wrap("begin migration"))?;
        tx.execute_batch(sql)
            .map_err(StorageError::wrap("apply migration"))?;
        let broken: i64 = tx
            .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .map_err(StorageError::wrap("check references after migration"))?;
        if broken > 0 {
            return Err(StorageError::corrupt(
                "check references after migration",
                format!(
                    "{broken} broken reference(s); migration {} not applied",
                    i + 1
                ),
            ));
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .map_err(StorageError::wrap("bump schema version"))?;
        tx.commit()
            .map_err(StorageError::wrap("commit migration"))?;
    }
    Ok(())
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        CompletionRequest, CompletionVoidRequest, Fingerprint, PreAuthRequest, PreAuthVoidRequest,
        QrDynamicRequest, QrPayRequest, QrRefundRequest, QrVoidRequest, RefundRequest, SaleRequest,
        VoidRequest,
    };

    /// A version-2 database with one row of every kind, as the previous release wrote them.
    fn v2_database() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        let row = |id: i64, kind: &str, trace: i64, amount: i64, original: Option<i64>| {
            conn.execute(
                "INSERT INTO txn (id, request_id, kind, state, batch, trace, amount, rrn, \
                 auth_code, original_id, local_date, local_time, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, 'approved', 1, ?4, ?5, ?6, ?7, ?8, '1121', '093000', 0, 0)",
                rusqlite::params![
                    id,
                    format!("r{id}"),
                    kind,
                    trace,
                    amount,
                    format!("RRN{id:09}"),
                    format!("A{id:05}"),
                    original
                ],
            )
            .unwrap();
        };
        row(1, "sale", 1, 1000, None);
        row(2, "sale_void", 2, 1000, Some(1));
        row(3, "sale", 3, 2000, None);
        row(4, "refund", 4, 500, Some(3));
        row(5, "preauth", 5, 3000, None);
        row(6, "preauth_void", 6, 3000, Some(5));
        row(7, "preauth", 7, 4000, None);
        row(8, "completion", 8, 4600, Some(7));
        row(9, "completion_void", 9, 4600, Some(8));
        row(10, "completion_advice", 10, 4100, Some(7));
        row(11, "balance", 11, 0, None);
        conn.execute_batch(
            "INSERT INTO reversal (txn_id, state, reason, updated_at) VALUES (3, 'armed', '98', 0);
             INSERT INTO qr_order (id, request_id, order_id, kind, out_trade_no, amount, state,
                 pay_sent_at, deadline_at, batch, card_seq, local_date, local_time, created_at,
                 updated_at)
             VALUES (1, 'q1', 'o1', 'scanned', 'N1', 700, 'paid', 0, 0, 1, 0, '1121', '1', 0, 0),
                    (2, 'q2', 'o2', 'dynamic', 'N2', 800, 'paid', 0, 0, 1, 0, '1121', '1', 0, 0);
             INSERT INTO qr_refund (request_id, order_ref, out_refund_no, kind, amount, state,
                 batch, card_seq, local_date, local_time, created_at, updated_at)
             VALUES ('qr1', 1, 'NR1', 'refund', 200, 'done', 1, 0, '1121', '1', 0, 0),
                    ('qv1', 2, 'NR2', 'void', 800, 'done', 1, 0, '1121', '1', 0, 0);",
        )
        .unwrap();
        conn
    }

    #[test]
    fn migration_3_backfills_the_fingerprints_the_engine_computes() {
        let mut conn = v2_database();
        migrate(&mut conn).unwrap();
        let print = |table: &str, id: &str| -> String {
            conn.query_row(
                &format!("SELECT fingerprint FROM {table} WHERE request_id = ?1"),
                [id],
                |r| r.get(0),
            )
            .unwrap()
        };
        let id = String::new;
        let (date, auth) = ("1121".to_owned(), |n: i64| format!("A{n:05}"));
        let expected: Vec<(&str, &str, String)> = vec![
            (
                "txn",
                "r1",
                SaleRequest {
                    request_id: id(),
                    amount: 1000,
                }
                .fingerprint(),
            ),
            (
                "txn",
                "r2",
                VoidRequest {
                    request_id: id(),
                    trace: 1,
                }
                .fingerprint(),
            ),
            (
                "txn",
                "r4",
                RefundRequest {
                    request_id: id(),
                    amount: 500,
                    rrn: "RRN000000003".into(),
                    date: date.clone(),
                }
                .fingerprint(),
            ),
            (
                "txn",
                "r5",
                PreAuthRequest {
                    request_id: id(),
                    amount: 3000,
                }
                .fingerprint(),
            ),
            (
                "txn",
                "r6",
                PreAuthVoidRequest {
                    request_id: id(),
                    auth_code: auth(5),
                    date: date.clone(),
                }
                .fingerprint(),
            ),
            (
                "txn",
                "r8",
                CompletionRequest {
                    request_id: id(),
                    amount: 4600,
                    auth_code: auth(7),
                    date: date.clone(),
                    advice: false,
                }
                .fingerprint(),
            ),
            (
                "txn",
                "r9",
                CompletionVoidRequest {
                    request_id: id(),
                    trace: 8,
                }
                .fingerprint(),
            ),
            (
                "txn",
                "r10",
                CompletionRequest {
                    request_id: id(),
                    amount: 4100,
                    auth_code: auth(7),
                    date,
                    advice: true,
                }
                .fingerprint(),
            ),
            (
                "txn",
                "r11",
                crate::model::BalanceRequest { request_id: id() }.fingerprint(),
            ),
            (
                "qr_order",
                "q1",
                QrPayRequest {
                    request_id: id(),
                    order_id: "o1".into(),
                    amount: 700,
                    code: String::new(),
                    subject: None,
                }
                .fingerprint(),
            ),
            (
                "qr_order",
                "q2",
                QrDynamicRequest {
                    request_id: id(),
                    order_id: "o2".into(),
                    amount: 800,
                    subject: None,
                }
                .fingerprint(),
            ),
            (
                "qr_refund",
                "qr1",
                QrRefundRequest {
                    request_id: id(),
                    original_request_id: "q1".into(),
                    amount: 200,
                    reason: None,
                }
                .fingerprint(),
            ),
            (
                "qr_refund",
                "qv1",
                QrVoidRequest {
                    request_id: id(),
                    original_request_id: "q2".into(),
                }
                .fingerprint(),
            ),
        ];
        for (table, request_id, want) in expected {
            assert_eq!(print(table, request_id), want, "{table} {request_id}");
        }
        // The armed reversal of the old schema is now the row itself; lost answers only.
        let armed: i64 = conn
            .query_row("SELECT COUNT(*) FROM reversal", [], |r| r.get(0))
            .unwrap();
        assert_eq!(armed, 0);
        // References survived the table rebuilds.
        let refs: i64 = conn
            .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(refs, 0);
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, SCHEMA_VERSION);
    }
}
