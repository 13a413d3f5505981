//! Tables `qr_order` and `qr_refund` (migration 2): QR attempts and refunds. Every write is
//! one SQLite transaction in the WAL with `synchronous=FULL`: durable before the gateway call
//! that depends on it.

use super::Cached;
use super::{to_i64, to_u64, Store};
use crate::error::StorageError;
use crate::model::{
    NewOrder, NewRefund, OrderRow, QrOrderKind, QrRefundKind, QrState, RefundRow, RefundState,
};
use rusqlite::{params, Connection, OptionalExtension, Row};
use unipos_qr_protocol::Channel;

/// One channel's QR totals in a batch: paid attempts and done refunds (count, fen).
pub(crate) struct ChannelTotals {
    pub channel: Channel,
    pub paid: (u32, u64),
    pub refunded: (u32, u64),
}

/// Why a refund could not be stored.
pub enum RefundRefusal {
    /// Done and pending refunds plus this one would exceed the paid amount.
    Exceeds {
        /// What is left to refund, fen.
        remaining: u64,
    },
    /// The database failed.
    Storage(StorageError),
}

impl From<StorageError> for RefundRefusal {
    fn from(e: StorageError) -> Self {
        RefundRefusal::Storage(e)
    }
}

const ORDER_COLUMNS: &str = "id, request_id, order_id, kind, out_trade_no, channel, amount, \
     masked_code, subject, state, paid_amount, refunded_amount, reverse_refunded, late_success, \
     voided, acknowledged, error_code, last_error, channel_trade_no, paid_time, code_url, \
     pay_sent_at, deadline_at, reverse_attempts, batch, card_seq, local_date, local_time, scope, \
     fingerprint";

const REFUND_COLUMNS: &str = "id, request_id, order_ref, out_refund_no, kind, amount, state, \
     error_code, last_error, channel_refund_no, refund_time, attempts, batch, card_seq, \
     local_date, local_time, scope, fingerprint";

const UNRESOLVED: &str = "state IN ('pay_pending', 'querying', 'reversing', 'reverse_pending')";

impl Store {
    /// Stores a new attempt in state PAY_PENDING with its `out_trade_no`, `pay_sent_at = now`
    /// and its deadline, in one transaction.
    pub(crate) fn insert_qr_order(&mut self, new: &NewOrder<'_>) -> Result<OrderRow, StorageError> {
        let tx = self.transaction("begin QR order")?;
        let seq = next_seq(&tx)?;
        let out_trade_no = format!("{}{seq:06}", new.number_prefix);
        let card_seq = card_seq(&tx)?;
        tx.cached_execute(
            "INSERT INTO qr_order (request_id, order_id, kind, out_trade_no, channel, amount, \
             masked_code, subject, state, pay_sent_at, deadline_at, batch, card_seq, local_date, \
             local_time, created_at, updated_at, scope, fingerprint) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?10, ?10, \
             ?16, ?17)",
            params![
                new.request_id,
                new.order_id,
                new.kind.as_str(),
                out_trade_no,
                new.channel.map(Channel::code),
                to_i64(new.amount),
                new.masked_code,
                new.subject,
                QrState::PayPending.as_str(),
                new.now,
                new.now.saturating_add(new.deadline_after_ms),
                new.batch,
                card_seq,
                new.local_date,
                new.local_time,
                new.scope,
                new.fingerprint,
            ],
        )
        .map_err(StorageError::wrap("store QR order"))?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(StorageError::wrap("commit QR order"))?;
        self.qr_order_by_id(id)?
            .ok_or_else(|| StorageError::corrupt("read back QR order", "the new row is missing"))
    }

    /// Writes every mutable column of an attempt (one durable statement).
    pub(crate) fn save_qr_order(&self, o: &OrderRow, now: i64) -> Result<(), StorageError> {
        self.conn
            .cached_execute(
                "UPDATE qr_order SET channel = ?2, state = ?3, paid_amount = ?4, \
                 refunded_amount = ?5, reverse_refunded = ?6, late_success = ?7, voided = ?8, \
                 acknowledged = ?9, error_code = ?10, last_error = ?11, channel_trade_no = ?12, \
                 paid_time = ?13, code_url = ?14, deadline_at = ?15, reverse_attempts = ?16, \
                 updated_at = ?17 WHERE id = ?1",
                params![
                    o.id,
                    o.channel.map(Channel::code),
                    o.state.as_str(),
                    to_i64(o.paid_amount),
                    to_i64(o.refunded_amount),
                    i64::from(o.reverse_refunded),
                    i64::from(o.late_success),
                    i64::from(o.voided),
                    i64::from(o.acknowledged),
                    o.error_code,
                    o.last_error,
                    o.channel_trade_no,
                    o.paid_time,
                    o.code_url,
                    o.deadline_at,
                    i64::from(o.reverse_attempts),
                    now,
                ],
            )
            .map_err(StorageError::wrap("update QR order"))?;
        Ok(())
    }

    pub(crate) fn qr_order_by_id(&self, id: i64) -> Result<Option<OrderRow>, StorageError> {
        find_order(&self.conn, "id = ?1", [id])
    }

    pub(crate) fn qr_order_by_request_id(
        &self,
        scope: &str,
        request_id: &str,
    ) -> Result<Option<OrderRow>, StorageError> {
        find_order(
            &self.conn,
            "scope = ?1 AND request_id = ?2",
            params![scope, request_id],
        )
    }

    /// The oldest unresolved attempt of a business order of `scope` (two merchant apps may use
    /// the same order number).
    pub(crate) fn qr_unresolved_of_business_order(
        &self,
        scope: &str,
        order_id: &str,
    ) -> Result<Option<OrderRow>, StorageError> {
        find_order(
            &self.conn,
            &format!("scope = ?1 AND order_id = ?2 AND {UNRESOLVED} ORDER BY id"),
            params![scope, order_id],
        )
    }

    /// A paid attempt of a business order of `scope`.
    pub(crate) fn qr_paid_of_business_order(
        &self,
        scope: &str,
        order_id: &str,
    ) -> Result<Option<OrderRow>, StorageError> {
        find_order(
            &self.conn,
            "scope = ?1 AND order_id = ?2 AND state = 'paid' ORDER BY id",
            params![scope, order_id],
        )
    }

    /// Every unresolved attempt, oldest first.
    pub(crate) fn qr_unresolved_orders(&self) -> Result<Vec<OrderRow>, StorageError> {
        find_orders(&self.conn, &format!("{UNRESOLVED} ORDER BY id"), [])
    }

    /// Unresolved attempts and results the cashier has not been shown, oldest first.
    pub(crate) fn qr_pending_results(&self) -> Result<Vec<OrderRow>, StorageError> {
        find_orders(
            &self.conn,
            &format!("({UNRESOLVED} OR acknowledged = 0) ORDER BY id"),
            [],
        )
    }

    /// Every attempt, oldest first.
    pub(crate) fn qr_all_orders(&self) -> Result<Vec<OrderRow>, StorageError> {
        find_orders(&self.conn, "1 = 1 ORDER BY id", [])
    }

    /// The newest attempt (of `scope`; of any scope: `None`).
    pub(crate) fn qr_newest_order(
        &self,
        scope: Option<&str>,
    ) -> Result<Option<OrderRow>, StorageError> {
        find_order(
            &self.conn,
            "(?1 IS NULL OR scope = ?1) ORDER BY id DESC",
            params![scope],
        )
    }

    /// The newest attempt of a business order number in `scope`.
    pub(crate) fn qr_order_by_order_id(
        &self,
        scope: &str,
        order_id: &str,
    ) -> Result<Option<OrderRow>, StorageError> {
        find_order(
            &self.conn,
            "scope = ?1 AND order_id = ?2 ORDER BY id DESC",
            params![scope, order_id],
        )
    }

    /// The attempt with this QR order number (`out_trade_no`), among the rows of `scope`.
    pub(crate) fn qr_order_by_out_trade_no(
        &self,
        scope: Option<&str>,
        out_trade_no: &str,
    ) -> Result<Option<OrderRow>, StorageError> {
        find_order(
            &self.conn,
            "out_trade_no = ?1 AND (?2 IS NULL OR scope = ?2)",
            params![out_trade_no, scope],
        )
    }

    pub(crate) fn qr_refund_by_request_id(
        &self,
        scope: &str,
        request_id: &str,
    ) -> Result<Option<RefundRow>, StorageError> {
        Ok(find_refunds(
            &self.conn,
            "scope = ?1 AND request_id = ?2",
            params![scope, request_id],
        )?
        .into_iter()
        .next())
    }

    pub(crate) fn qr_pending_refunds(&self) -> Result<Vec<RefundRow>, StorageError> {
        find_refunds(&self.conn, "state = 'pending' ORDER BY id", [])
    }

    pub(crate) fn qr_refunds_of(&self, order_ref: i64) -> Result<Vec<RefundRow>, StorageError> {
        find_refunds(&self.conn, "order_ref = ?1 ORDER BY id", [order_ref])
    }

    /// The newest refund.
    pub(crate) fn qr_newest_refund(
        &self,
        scope: Option<&str>,
    ) -> Result<Option<RefundRow>, StorageError> {
        Ok(find_refunds(
            &self.conn,
            "(?1 IS NULL OR scope = ?1) ORDER BY id DESC LIMIT 1",
            params![scope],
        )?
        .into_iter()
        .next())
    }

    /// Stores a pending refund with its `out_refund_no`, checking in the same transaction
    /// that the refunds of the order (done and pending) stay within the paid amount.
    pub(crate) fn insert_qr_refund(
        &mut self,
        new: &NewRefund<'_>,
    ) -> Result<RefundRow, RefundRefusal> {
        let tx = self.transaction("begin QR refund")?;
        let committed: i64 = tx
            .cached_row(
                "SELECT COALESCE(SUM(amount), 0) FROM qr_refund \
                 WHERE order_ref = ?1 AND state IN ('pending', 'done')",
                [new.order.id],
                |r| r.get(0),
            )
            .map_err(StorageError::wrap("sum QR refunds"))?;
        let remaining = new.order.paid_amount.saturating_sub(to_u64(committed));
        if new.amount > remaining {
            return Err(RefundRefusal::Exceeds { remaining });
        }
        let seq = next_seq(&tx)?;
        let out_refund_no = format!("{}R{seq:06}", new.number_prefix);
        let card_seq = card_seq(&tx)?;
        let kind = match new.kind {
            QrRefundKind::Refund => "refund",
            QrRefundKind::Void => "void",
        };
        tx.cached_execute(
            "INSERT INTO qr_refund (request_id, order_ref, out_refund_no, kind, amount, state, \
             batch, card_seq, local_date, local_time, created_at, updated_at, scope, \
             fingerprint) \
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12)",
            params![
                new.request_id,
                new.order.id,
                out_refund_no,
                kind,
                to_i64(new.amount),
                new.batch,
                card_seq,
                new.local_date,
                new.local_time,
                new.now,
                new.scope,
                new.fingerprint,
            ],
        )
        .map_err(StorageError::wrap("store QR refund"))?;
        tx.commit()
            .map_err(StorageError::wrap("commit QR refund"))?;
        Ok(self
            .qr_refund_by_request_id(new.scope, new.request_id)?
            .ok_or_else(|| {
                StorageError::corrupt("read back QR refund", "the new row is missing")
            })?)
    }

    /// Records a refund attempt's result; a done refund also updates the order's refunded
    /// total (and the void flag) in the same transaction.
    pub(crate) fn save_qr_refund(
        &mut self,
        refund: &RefundRow,
        now: i64,
    ) -> Result<(), StorageError> {
        let tx = self.transaction("begin QR refund update")?;
        tx.cached_execute(
            "UPDATE qr_refund SET state = ?2, error_code = ?3, last_error = ?4, \
             channel_refund_no = ?5, refund_time = ?6, attempts = ?7, updated_at = ?8 \
             WHERE id = ?1",
            params![
                refund.id,
                refund.state.as_str(),
                refund.error_code,
                refund.last_error,
                refund.channel_refund_no,
                refund.refund_time,
                i64::from(refund.attempts),
                now,
            ],
        )
        .map_err(StorageError::wrap("update QR refund"))?;
        if refund.state == RefundState::Done {
            tx.cached_execute(
                "UPDATE qr_order SET refunded_amount = (SELECT COALESCE(SUM(amount), 0) \
                 FROM qr_refund WHERE order_ref = ?1 AND state = 'done'), \
                 voided = voided OR ?2, updated_at = ?3 WHERE id = ?1",
                params![refund.order_ref, refund.kind == QrRefundKind::Void, now],
            )
            .map_err(StorageError::wrap("update refunded total"))?;
        }
        tx.commit()
            .map_err(StorageError::wrap("commit QR refund update"))
    }

    /// Per channel: paid attempts and done refunds of a batch (channels without either
    /// omitted).
    pub(crate) fn qr_batch_totals(&self, batch: u32) -> Result<Vec<ChannelTotals>, StorageError> {
        let sum = |sql: &str| -> Result<Vec<(String, u32, u64)>, StorageError> {
            let mut stmt = self
                .conn
                .prepare_cached(sql)
                .map_err(StorageError::wrap("sum QR payments"))?;
            let rows = stmt
                .query_map([batch], |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                        small(r, 1)?,
                        unsigned(r, 2)?,
                    ))
                })
                .map_err(StorageError::wrap("sum QR payments"))?;
            rows.collect::<Result<_, _>>()
                .map_err(StorageError::wrap("sum QR payments"))
        };
        let paid = sum(
            "SELECT channel, COUNT(*), COALESCE(SUM(paid_amount), 0) FROM qr_order \
             WHERE batch = ?1 AND state = 'paid' GROUP BY channel",
        )?;
        let refunded = sum(
            "SELECT o.channel, COUNT(*), COALESCE(SUM(r.amount), 0) FROM qr_refund r \
             JOIN qr_order o ON o.id = r.order_ref WHERE r.batch = ?1 AND r.state = 'done' \
             GROUP BY o.channel",
        )?;
        let mut out = Vec::new();
        for channel in Channel::ALL {
            let pick = |rows: &[(String, u32, u64)]| {
                rows.iter()
                    .find(|(c, _, _)| c == channel.code())
                    .map_or((0, 0), |(_, n, a)| (*n, *a))
            };
            let (paid, refunded) = (pick(&paid), pick(&refunded));
            if paid.0 > 0 || refunded.0 > 0 {
                out.push(ChannelTotals {
                    channel,
                    paid,
                    refunded,
                });
            }
        }
        Ok(out)
    }
}

fn corrupt(idx: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, what.into())
}

fn unsigned(r: &Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let v: i64 = r.get(idx)?;
    u64::try_from(v).map_err(|_| corrupt(idx, format!("negative value {v}")))
}

fn small(r: &Row<'_>, idx: usize) -> rusqlite::Result<u32> {
    let v: i64 = r.get(idx)?;
    u32::try_from(v).map_err(|_| corrupt(idx, format!("value {v} out of range")))
}

fn row_to_order(r: &Row<'_>) -> rusqlite::Result<OrderRow> {
    let channel: Option<String> = r.get(5)?;
    let state: String = r.get(9)?;
    let kind: String = r.get(3)?;
    Ok(OrderRow {
        id: r.get(0)?,
        scope: r.get(28)?,
        request_id: r.get(1)?,
        fingerprint: r.get(29)?,
        order_id: r.get(2)?,
        kind: QrOrderKind::parse(&kind)
            .ok_or_else(|| corrupt(3, format!("unknown QR order kind {kind:?}")))?,
        out_trade_no: r.get(4)?,
        channel: channel
            .map(|c| {
                c.parse()
                    .map_err(|_| corrupt(5, format!("unknown QR channel {c:?}")))
            })
            .transpose()?,
        amount: unsigned(r, 6)?,
        masked_code: r.get(7)?,
        subject: r.get(8)?,
        state: QrState::parse(&state)
            .ok_or_else(|| corrupt(9, format!("unknown QR state {state:?}")))?,
        paid_amount: unsigned(r, 10)?,
        refunded_amount: unsigned(r, 11)?,
        reverse_refunded: r.get::<_, i64>(12)? != 0,
        late_success: r.get::<_, i64>(13)? != 0,
        voided: r.get::<_, i64>(14)? != 0,
        acknowledged: r.get::<_, i64>(15)? != 0,
        error_code: r.get(16)?,
        last_error: r.get(17)?,
        channel_trade_no: r.get(18)?,
        paid_time: r.get(19)?,
        code_url: r.get(20)?,
        pay_sent_at: r.get(21)?,
        deadline_at: r.get(22)?,
        reverse_attempts: small(r, 23)?,
        batch: small(r, 24)?,
        card_seq: r.get(25)?,
        local_date: r.get(26)?,
        local_time: r.get(27)?,
    })
}

fn row_to_refund(r: &Row<'_>) -> rusqlite::Result<RefundRow> {
    let kind: String = r.get(4)?;
    let state: String = r.get(6)?;
    Ok(RefundRow {
        id: r.get(0)?,
        scope: r.get(16)?,
        request_id: r.get(1)?,
        fingerprint: r.get(17)?,
        order_ref: r.get(2)?,
        out_refund_no: r.get(3)?,
        kind: match kind.as_str() {
            "void" => QrRefundKind::Void,
            "refund" => QrRefundKind::Refund,
            _ => return Err(corrupt(4, format!("unknown QR refund kind {kind:?}"))),
        },
        amount: unsigned(r, 5)?,
        state: RefundState::parse(&state)
            .ok_or_else(|| corrupt(6, format!("unknown QR refund state {state:?}")))?,
        error_code: r.get(7)?,
        last_error: r.get(8)?,
        channel_refund_no: r.get(9)?,
        refund_time: r.get(10)?,
        attempts: small(r, 11)?,
        batch: small(r, 12)?,
        card_seq: r.get(13)?,
        local_date: r.get(14)?,
        local_time: r.get(15)?,
    })
}

/// The next value of the persisted QR counter (1..=999999, wrapping), inside `tx`.
fn next_seq(tx: &rusqlite::Transaction<'_>) -> Result<u32, StorageError> {
    let v: String = tx
        .cached_row("SELECT value FROM meta WHERE key = 'qr_seq'", [], |r| {
            r.get(0)
        })
        .map_err(StorageError::wrap("read QR counter"))?;
    let last: u32 = v
        .parse()
        .map_err(|_| StorageError::corrupt("read QR counter", format!("qr_seq = {v:?}")))?;
    let next = last % 999_999 + 1;
    tx.cached_execute(
        "UPDATE meta SET value = ?1 WHERE key = 'qr_seq'",
        [next.to_string()],
    )
    .map_err(StorageError::wrap("bump QR counter"))?;
    Ok(next)
}

/// The newest card journal row id: orders QR records among card transactions.
fn card_seq(tx: &rusqlite::Transaction<'_>) -> Result<i64, StorageError> {
    tx.cached_row("SELECT COALESCE(MAX(id), 0) FROM txn", [], |r| r.get(0))
        .map_err(StorageError::wrap("read card sequence"))
}

fn find_orders(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<OrderRow>, StorageError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM qr_order WHERE {filter}");
    let mut stmt = conn
        .prepare_cached(&sql)
        .map_err(StorageError::wrap("list QR orders"))?;
    let rows = stmt
        .query_map(args, row_to_order)
        .map_err(StorageError::wrap("list QR orders"))?;
    rows.collect::<Result<_, _>>()
        .map_err(StorageError::wrap("list QR orders"))
}

fn find_order(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Option<OrderRow>, StorageError> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM qr_order WHERE {filter} LIMIT 1");
    conn.cached_row(&sql, args, row_to_order)
        .optional()
        .map_err(StorageError::wrap("find QR order"))
}

fn find_refunds(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<RefundRow>, StorageError> {
    let sql = format!("SELECT {REFUND_COLUMNS} FROM qr_refund WHERE {filter}");
    let mut stmt = conn
        .prepare_cached(&sql)
        .map_err(StorageError::wrap("list QR refunds"))?;
    let rows = stmt
        .query_map(args, row_to_refund)
        .map_err(StorageError::wrap("list QR refunds"))?;
    rows.collect::<Result<_, _>>()
        .map_err(StorageError::wrap("list QR refunds"))
}
