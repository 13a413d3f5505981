//! The card ledger (accounts, pre-authorisation holds) and the host journal.
//!
//! Money is `u64` fen. An account has its own funds (`balance`) and may have a credit line
//! (`credit_limit`, of which `credit_used` is drawn); a debit takes own funds first, a credit
//! repays the credit line first. Holds (pre-authorisations) reduce what is available until
//! they are completed, released, reversed or lapse (30 days by default, by the clock).
//!
//! Every journal record lists the [`Effect`]s it applied, so a reversal undoes exactly those
//! and nothing else.

use crate::config::{CardConfig, CardOrganisation};
use serde::Serialize;
use std::collections::HashMap;

/// One card account.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub config: CardConfig,
    pub balance: u64,
    pub credit_used: u64,
    pub pin_failures: u32,
    pub holds: Vec<u64>,
}

/// Where a pre-authorisation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldState {
    /// Funds are held.
    Active,
    /// Released by a pre-auth void.
    Released,
    /// Charged by a completion.
    Completed,
    /// Undone by a reversal of the pre-authorisation.
    Reversed,
}

/// A pre-authorisation hold.
#[derive(Debug, Clone, Serialize)]
pub struct Hold {
    /// Host-wide id.
    pub id: u64,
    /// The card, masked.
    pub masked_pan: String,
    /// Amount held, fen.
    pub amount: u64,
    /// Auth code of the pre-authorisation (field 38).
    pub auth_code: String,
    /// Local date of the pre-authorisation, MMDD (what completions quote in field 61).
    pub date: String,
    /// RRN of the pre-authorisation.
    pub rrn: String,
    /// Terminal that placed it.
    pub terminal_id: String,
    /// When it was placed (clock milliseconds).
    pub created_millis: i64,
    /// When it lapses (clock milliseconds).
    pub expires_millis: i64,
    /// Current state (an active hold past its expiry counts as lapsed).
    pub state: HoldState,
}

impl Hold {
    /// Whether the hold still reserves funds at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        self.state == HoldState::Active && now < self.expires_millis
    }
}

/// A card's balances as seen by tests and the admin API.
#[derive(Debug, Clone, Serialize)]
pub struct CardSnapshot {
    /// The card, masked.
    pub masked_pan: String,
    /// Own funds, fen.
    pub balance: u64,
    /// Credit line, fen.
    pub credit_limit: u64,
    /// Credit drawn, fen.
    pub credit_used: u64,
    /// Sum of live holds, fen.
    pub held: u64,
    /// What a sale may take now: balance + unused credit − holds.
    pub available: u64,
    /// Wrong PINs in a row.
    pub pin_failures: u32,
    /// All holds of the card, any state.
    pub holds: Vec<Hold>,
}

/// What kind of transaction a journal entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TxnKind {
    /// 余额查询.
    BalanceInquiry,
    /// 消费.
    Sale,
    /// 消费撤销.
    SaleVoid,
    /// 退货.
    Refund,
    /// 预授权.
    PreAuth,
    /// 预授权撤销.
    PreAuthVoid,
    /// 预授权完成(请求).
    Completion,
    /// 预授权完成通知 (0220).
    CompletionAdvice,
    /// 预授权完成撤销.
    CompletionVoid,
    /// 冲正 (0400).
    Reversal,
}

impl TxnKind {
    /// Counted as a debit in the settlement totals (sales and completions).
    pub fn is_settlement_debit(self) -> bool {
        matches!(
            self,
            TxnKind::Sale | TxnKind::Completion | TxnKind::CompletionAdvice
        )
    }

    /// Counted as a credit in the settlement totals (voids, refunds, completion voids).
    pub fn is_settlement_credit(self) -> bool {
        matches!(
            self,
            TxnKind::SaleVoid | TxnKind::Refund | TxnKind::CompletionVoid
        )
    }
}

/// One host journal entry (what the host did with one financial request).
#[derive(Debug, Clone, Serialize)]
pub struct JournalEntry {
    /// Host-wide sequence number.
    pub seq: u64,
    /// Field 41.
    pub terminal_id: String,
    /// Field 42.
    pub merchant_id: String,
    /// The transaction.
    pub kind: TxnKind,
    /// Request MTI.
    pub mti: String,
    /// Field 3.
    pub processing_code: String,
    /// 60.2 of the request.
    pub batch: u32,
    /// Field 11.
    pub trace: u32,
    /// Field 4 as requested, fen.
    pub requested_amount: u64,
    /// What the host applied (charged, credited, held or released), fen.
    pub amount: u64,
    /// Field 39 answered.
    pub response_code: String,
    /// Field 37 answered.
    pub rrn: String,
    /// Field 38 answered (approvals).
    pub auth_code: Option<String>,
    /// The card, masked (first 6, last 4).
    pub masked_pan: String,
    /// Card scheme, when the card is known.
    pub organisation: Option<CardOrganisation>,
    /// Host local date MMDD.
    pub date: String,
    /// Host local time hhmmss.
    pub time: String,
    /// Undone by a reversal.
    pub reversed: bool,
    /// Cancelled by a void.
    pub voided: bool,
    /// Refunded so far, fen.
    pub refunded: u64,
    /// For voids, refunds, completions: the original's trace and batch.
    pub original: Option<(u32, u32)>,
    /// A TC upload or IC batch-upload record arrived for it.
    pub tc_uploaded: bool,
    /// Field 63 of the request: the terminal's operator code.
    pub operator: Option<String>,
}

impl JournalEntry {
    /// Whether the host approved it (`00` or partial `10`).
    pub fn approved(&self) -> bool {
        self.response_code == "00" || self.response_code == "10"
    }
}

/// A change applied to the ledger, undone by a reversal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    Debit { pan: String, amount: u64 },
    Credit { pan: String, amount: u64 },
    HoldPlaced { hold: u64 },
    HoldReleased { hold: u64 },
    HoldCompleted { hold: u64 },
    HoldRestored { hold: u64 },
    Voided { record: usize },
    Refunded { record: usize, amount: u64 },
}

/// A journal record: the public entry plus what the host needs to match and undo it.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub entry: JournalEntry,
    pub pan: String,
    pub effects: Vec<Effect>,
    /// Hold a pre-authorisation placed or a completion consumed.
    pub hold: Option<u64>,
}

/// Accounts and holds.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    pub accounts: HashMap<String, Account>,
    pub holds: HashMap<u64, Hold>,
    next_hold: u64,
}

impl Ledger {
    pub fn new(cards: &[CardConfig]) -> Self {
        let accounts = cards
            .iter()
            .map(|c| {
                (
                    c.pan.clone(),
                    Account {
                        config: c.clone(),
                        balance: c.balance,
                        credit_used: 0,
                        pin_failures: 0,
                        holds: Vec::new(),
                    },
                )
            })
            .collect();
        Ledger {
            accounts,
            holds: HashMap::new(),
            next_hold: 1,
        }
    }

    /// Funds reserved by live holds.
    pub fn held(&self, pan: &str, now: i64) -> u64 {
        self.accounts.get(pan).map_or(0, |a| {
            a.holds
                .iter()
                .filter_map(|id| self.holds.get(id))
                .filter(|h| h.is_live(now))
                .map(|h| h.amount)
                .sum()
        })
    }

    /// What the card can spend now.
    pub fn available(&self, pan: &str, now: i64) -> u64 {
        self.accounts.get(pan).map_or(0, |a| {
            (a.balance + a.config.credit_limit.saturating_sub(a.credit_used))
                .saturating_sub(self.held(pan, now))
        })
    }

    /// Takes `amount` (own funds first, then credit). Callers check the funds first; a
    /// forced debit (undoing a credit) may overdraw the credit line, which is the truth.
    pub fn debit(&mut self, pan: &str, amount: u64) {
        if let Some(a) = self.accounts.get_mut(pan) {
            let from_balance = amount.min(a.balance);
            a.balance -= from_balance;
            a.credit_used += amount - from_balance;
        }
    }

    /// Gives back `amount` (repays credit first).
    pub fn credit(&mut self, pan: &str, amount: u64) {
        if let Some(a) = self.accounts.get_mut(pan) {
            let repay = amount.min(a.credit_used);
            a.credit_used -= repay;
            a.balance += amount - repay;
        }
    }

    /// Places a hold and returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn place_hold(
        &mut self,
        pan: &str,
        amount: u64,
        auth_code: &str,
        date: &str,
        rrn: &str,
        terminal_id: &str,
        now: i64,
        validity_millis: i64,
    ) -> u64 {
        let id = self.next_hold;
        self.next_hold += 1;
        self.holds.insert(
            id,
            Hold {
                id,
                masked_pan: unipos_crypto::pan::mask_pan(pan),
                amount,
                auth_code: auth_code.to_owned(),
                date: date.to_owned(),
                rrn: rrn.to_owned(),
                terminal_id: terminal_id.to_owned(),
                created_millis: now,
                expires_millis: now.saturating_add(validity_millis),
                state: HoldState::Active,
            },
        );
        if let Some(a) = self.accounts.get_mut(pan) {
            a.holds.push(id);
        }
        id
    }

    /// The live hold of a card with this auth code and date.
    pub fn find_live_hold(&self, pan: &str, auth_code: &str, date: &str, now: i64) -> Option<u64> {
        self.accounts.get(pan).and_then(|a| {
            a.holds.iter().copied().find(|id| {
                self.holds
                    .get(id)
                    .is_some_and(|h| h.is_live(now) && h.auth_code == auth_code && h.date == date)
            })
        })
    }

    /// Any hold of a card with this auth code and date (to tell "gone" from "never was").
    pub fn find_hold(&self, pan: &str, auth_code: &str, date: &str) -> Option<u64> {
        self.accounts.get(pan).and_then(|a| {
            a.holds.iter().rev().copied().find(|id| {
                self.holds
                    .get(id)
                    .is_some_and(|h| h.auth_code == auth_code && h.date == date)
            })
        })
    }

    pub fn set_hold_state(&mut self, id: u64, state: HoldState) {
        if let Some(h) = self.holds.get_mut(&id) {
            h.state = state;
        }
    }

    pub fn snapshot(&self, pan: &str, now: i64) -> Option<CardSnapshot> {
        let a = self.accounts.get(pan)?;
        Some(CardSnapshot {
            masked_pan: unipos_crypto::pan::mask_pan(pan),
            balance: a.balance,
            credit_limit: a.config.credit_limit,
            credit_used: a.credit_used,
            held: self.held(pan, now),
            available: self.available(pan, now),
            pin_failures: a.pin_failures,
            holds: a
                .holds
                .iter()
                .filter_map(|id| self.holds.get(id))
                .cloned()
                .collect(),
        })
    }
}

impl TxnKind {
    /// The 60.1 transaction type code of this kind of request.
    pub fn type_code(self) -> u8 {
        match self {
            TxnKind::BalanceInquiry => 1,
            TxnKind::Sale => 22,
            TxnKind::SaleVoid => 23,
            TxnKind::Refund => 25,
            TxnKind::PreAuth => 10,
            TxnKind::PreAuthVoid => 11,
            TxnKind::Completion => 20,
            TxnKind::CompletionAdvice => 24,
            TxnKind::CompletionVoid => 21,
            TxnKind::Reversal => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debit_uses_own_funds_then_credit() {
        let mut card = CardConfig::new("6212345678901265", 1_000);
        card.credit_limit = 5_000;
        let mut l = Ledger::new(&[card]);
        let pan = "6212345678901265";
        assert_eq!(l.available(pan, 0), 6_000);
        l.debit(pan, 2_500);
        let a = &l.accounts[pan];
        assert_eq!((a.balance, a.credit_used), (0, 1_500));
        l.credit(pan, 2_000);
        let a = &l.accounts[pan];
        assert_eq!((a.balance, a.credit_used), (500, 0));
        let id = l.place_hold(pan, 400, "123456", "1121", "r", "t", 0, 1_000);
        assert_eq!(l.available(pan, 10), 5_100);
        assert_eq!(
            l.available(pan, 1_000),
            5_500,
            "lapsed holds free their funds"
        );
        assert_eq!(l.find_live_hold(pan, "123456", "1121", 10), Some(id));
        assert_eq!(l.find_live_hold(pan, "123456", "1121", 1_000), None);
    }
}
