//! The card ledger of the simulator: the test cards and what each card is.

use super::defaults;
use serde::{Deserialize, Serialize};

/// The default test cards (all Luhn-valid; PIN [`defaults::PIN`]).
pub mod test_cards {
    /// UnionPay debit IC card (PSN 01), 100,000.00 CNY.
    pub const DEBIT_IC: &str = "6212345678901265";
    /// UnionPay credit magstripe card: no own funds, 50,000.00 CNY credit limit.
    pub const CREDIT_MAGSTRIPE: &str = "6212345678901232";
    /// UnionPay test-environment card, contactless, 50,000.00 CNY.
    pub const CONTACTLESS: &str = "6216261000000000018";
    /// The card of the captured sale (PROTOCOL.md §3.3), IC with PSN 01, 100,000.00 CNY.
    pub const CAPTURE: &str = "6212260200024125573";
    /// A foreign (Visa) IC card, 100,000.00 CNY.
    pub const FOREIGN_VISA: &str = "4761739001010010";
    /// A foreign (Mastercard) magstripe card, 100,000.00 CNY.
    pub const FOREIGN_MASTERCARD: &str = "5413330089010434";
    /// Reported lost: answers `41`.
    pub const LOST: &str = "6212345678901000";
    /// Frozen by the issuer: answers `62`.
    pub const FROZEN: &str = "6212345678902008";
    /// Expired in December 2020: answers `54`.
    pub const EXPIRED: &str = "6212345678903006";
    /// 100.00 CNY and partial approval allowed: a bigger sale is approved `10` for 100.00.
    pub const PARTIAL: &str = "6212345678904004";
    /// 1.00 CNY and no partial approval: anything bigger answers `51`.
    pub const LOW_BALANCE: &str = "6212345678905001";
    /// Reported stolen: answers `43`.
    pub const STOLEN: &str = "6212345678906009";
    /// Expiry (YYMM) of every default card that has not expired.
    pub const EXPIRY: &str = "3012";
}

/// A card's standing with its issuer.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum CardStatus {
    /// Usable.
    #[default]
    Normal,
    /// Reported lost (`41`).
    Lost,
    /// Reported stolen (`43`).
    Stolen,
    /// Expired whatever its expiry date says (`54`).
    Expired,
    /// Frozen by the issuer (`62`).
    Frozen,
}

/// The card scheme; `CUP` cards are domestic (内卡), the others foreign (外卡).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, Default)]
pub enum CardOrganisation {
    /// China UnionPay.
    #[default]
    #[serde(rename = "CUP")]
    Cup,
    /// Visa.
    #[serde(rename = "VIS")]
    Visa,
    /// Mastercard.
    #[serde(rename = "MCC")]
    Mastercard,
    /// JCB.
    #[serde(rename = "JCB")]
    Jcb,
    /// American Express.
    #[serde(rename = "AEX")]
    Amex,
}

impl CardOrganisation {
    /// The code of field 63 in answers.
    pub fn code(self) -> &'static str {
        match self {
            CardOrganisation::Cup => "CUP",
            CardOrganisation::Visa => "VIS",
            CardOrganisation::Mastercard => "MCC",
            CardOrganisation::Jcb => "JCB",
            CardOrganisation::Amex => "AEX",
        }
    }

    /// Whether the card settles in the domestic group of field 48.
    pub fn is_domestic(self) -> bool {
        self == CardOrganisation::Cup
    }
}

/// How the card is read.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum CardMedium {
    /// Contact chip (and its magstripe fallback).
    #[default]
    Ic,
    /// Contactless chip.
    Contactless,
    /// Magnetic stripe only.
    Magstripe,
}

/// One account in the card ledger. Money is in fen.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct CardConfig {
    /// Card number.
    pub pan: String,
    /// Expiry, YYMM.
    pub expiry: String,
    /// Service code (track 2).
    pub service_code: String,
    /// The PIN (test cards only).
    pub pin: String,
    /// Own funds.
    pub balance: u64,
    /// Credit the card may use beyond its own funds.
    pub credit_limit: u64,
    /// Issuer status.
    pub status: CardStatus,
    /// Card scheme.
    pub organisation: CardOrganisation,
    /// Whether a sale above the available funds is approved for what is available (`10`).
    pub partial_approval: bool,
    /// How the card is read.
    pub medium: CardMedium,
    /// PAN sequence number (2 digits) of chip cards.
    pub psn: Option<String>,
    /// Issuer id (first half of field 44); empty = by organisation.
    pub issuer_id: String,
}

impl Default for CardConfig {
    fn default() -> Self {
        CardConfig::new("", 0)
    }
}

impl CardConfig {
    /// A normal domestic IC card with the default PIN and expiry.
    pub fn new(pan: &str, balance: u64) -> Self {
        CardConfig {
            pan: pan.into(),
            expiry: test_cards::EXPIRY.into(),
            service_code: "220".into(),
            pin: defaults::PIN.into(),
            balance,
            credit_limit: 0,
            status: CardStatus::Normal,
            organisation: CardOrganisation::Cup,
            partial_approval: false,
            medium: CardMedium::Ic,
            psn: Some("01".into()),
            issuer_id: String::new(),
        }
    }

    fn magstripe(mut self) -> Self {
        self.medium = CardMedium::Magstripe;
        self.service_code = "101".into();
        self.psn = None;
        self
    }

    /// The issuer id for field 44.
    pub fn issuer(&self) -> &str {
        if !self.issuer_id.is_empty() {
            &self.issuer_id
        } else if self.organisation.is_domestic() {
            defaults::DOMESTIC_ISSUER_ID
        } else {
            defaults::FOREIGN_ISSUER_ID
        }
    }
}

/// The default card ledger: every card of [`test_cards`].
pub fn default_cards() -> Vec<CardConfig> {
    use test_cards::*;
    let with = |pan: &str, balance: u64, f: &dyn Fn(&mut CardConfig)| {
        let mut c = CardConfig::new(pan, balance);
        f(&mut c);
        c
    };
    vec![
        CardConfig::new(DEBIT_IC, 10_000_000),
        with(CREDIT_MAGSTRIPE, 0, &|c| {
            *c = c.clone().magstripe();
            c.credit_limit = 5_000_000;
        }),
        with(CONTACTLESS, 5_000_000, &|c| {
            c.medium = CardMedium::Contactless
        }),
        CardConfig::new(CAPTURE, 10_000_000),
        with(FOREIGN_VISA, 10_000_000, &|c| {
            c.organisation = CardOrganisation::Visa
        }),
        with(FOREIGN_MASTERCARD, 10_000_000, &|c| {
            *c = c.clone().magstripe();
            c.organisation = CardOrganisation::Mastercard;
        }),
        with(LOST, 10_000_000, &|c| c.status = CardStatus::Lost),
        with(FROZEN, 10_000_000, &|c| c.status = CardStatus::Frozen),
        with(EXPIRED, 10_000_000, &|c| c.expiry = "2012".into()),
        with(PARTIAL, 10_000, &|c| c.partial_approval = true),
        with(LOW_BALANCE, 100, &|_| {}),
        with(STOLEN, 10_000_000, &|c| c.status = CardStatus::Stolen),
    ]
}
