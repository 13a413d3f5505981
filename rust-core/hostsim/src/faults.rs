//! Fault injection: rules that make the host misbehave on purpose, the way networks and
//! hosts really fail, so the terminal's reversal, retry and recovery paths can be proven.
//!
//! A [`FaultRule`] matches requests by terminal, MTI, processing code (POSP) or operation
//! (QR gateway), optionally only from its `nth` match on and at most `count` times, and then
//! applies one [`FaultAction`]. The first rule that matches and still has firings left wins;
//! every rule counts its matches and firings. Rules are managed through [`Faults`], a cheap
//! shared handle (also reachable over the admin HTTP API).
//!
//! ```
//! use unipos_hostsim::faults::{FaultAction, FaultRule, Faults};
//! let faults = Faults::default();
//! let id = faults.add(FaultRule::posp("0200", FaultAction::NoAnswer).once());
//! assert_eq!(faults.fired(id), Some(0));
//! ```

use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, PoisonError};

/// What the host does instead of answering normally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// The request is lost before the host: not processed, no answer, and the connection is
    /// kept open until the client gives up (it sees a read timeout).
    DropRequest,
    /// The answer is lost: the request is processed (the ledger changes) but no answer is
    /// sent; the connection is kept open until the client gives up.
    NoAnswer,
    /// Processed, then answered after `ms` milliseconds.
    Delay {
        /// Delay in milliseconds.
        ms: u64,
    },
    /// The connection is closed right after the request is read, before processing.
    CloseConnection,
    /// Processed, then answered with corrupted bytes (the length prefix stays right).
    Garble,
    /// Processed, then answered with a wrong MAC (field 64). POSP only.
    BadMac,
    /// Not processed: answered with this response code (properly MAC'd). POSP only.
    RespondWith {
        /// Field 39, e.g. `"96"`.
        code: String,
    },
    /// Processed, then the answer is sent twice.
    Duplicate,
    /// Processed, then answered with a wrong trace number (field 11), properly MAC'd, like
    /// the late answer of an earlier request. POSP only.
    StaleTrace,
    /// Processed and answered normally, then the host journal loses the record (a lost
    /// write on the host side): the next settlement cannot balance and the batch upload
    /// reports it. POSP only.
    LoseRecord,
    /// Not processed: the HTTP answer has this status and an empty body (QR gateway and
    /// HTTPS `/posp`; on the TCP POSP listener the connection is closed instead).
    HttpStatus {
        /// HTTP status code, e.g. 503.
        status: u16,
    },
    /// Processed, then fields of the answer are set or removed and the answer is MAC'd again:
    /// a host that answers authentically but wrongly (another amount, a response code that
    /// contradicts the rest, key material that does not fit). POSP only. Field 64 is the MAC
    /// and cannot be edited; [`FaultAction::validate`] refuses a value its field cannot carry.
    Rewrite {
        /// The edits, applied in order.
        fields: Vec<FieldEdit>,
    },
    /// Processed, then top-level keys of the JSON answer are set or removed and the answer is
    /// signed again: a QR gateway that answers authentically but wrongly (another amount, a
    /// state that contradicts the result, another order number). QR only; answers that are not
    /// a JSON object, or to a request that did not authenticate, go out unchanged.
    RewriteJson {
        /// The edits, applied in order.
        fields: Vec<JsonEdit>,
    },
}

/// One key edit of [`FaultAction::RewriteJson`]: `value` sets the key, no `value` removes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonEdit {
    /// The top-level key, e.g. `"paid_fen"`.
    pub key: String,
    /// The new value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
}

impl JsonEdit {
    /// Applies the edit to a JSON object.
    pub(crate) fn apply(&self, object: &mut serde_json::Map<String, serde_json::Value>) {
        match &self.value {
            Some(v) => {
                object.insert(self.key.clone(), v.clone());
            }
            None => {
                object.remove(&self.key);
            }
        }
    }
}

/// One field edit of [`FaultAction::Rewrite`]: `text` (ASCII: numeric and text fields) or `hex`
/// (the raw bytes: binary fields such as 52, 55 or 62) sets the field; neither removes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldEdit {
    /// The field number, 2 to 63.
    pub field: u8,
    /// The new value as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The new value as hexadecimal bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
}

impl FieldEdit {
    /// Sets `field` to these bytes.
    pub fn set(field: u8, value: impl AsRef<[u8]>) -> Self {
        FieldEdit {
            field,
            text: None,
            hex: Some(hex::encode_upper(value.as_ref())),
        }
    }

    /// Removes `field`.
    pub fn remove(field: u8) -> Self {
        FieldEdit {
            field,
            text: None,
            hex: None,
        }
    }

    /// The new value (`None`: remove the field), or why the edit is malformed.
    pub fn value(&self) -> Result<Option<Vec<u8>>, String> {
        let field = self.field;
        if !(2..=63).contains(&field) {
            return Err(format!(
                "field {field}: only fields 2 to 63 can be rewritten (64 is the MAC)"
            ));
        }
        match (&self.text, &self.hex) {
            (Some(_), Some(_)) => Err(format!("field {field}: give `text` or `hex`, not both")),
            (Some(text), None) => Ok(Some(text.as_bytes().to_vec())),
            (None, Some(h)) => hex::decode(h)
                .map(Some)
                .map_err(|e| format!("field {field}: `hex` is not hexadecimal: {e}")),
            (None, None) => Ok(None),
        }
    }

    /// Applies the edit to `msg`.
    pub(crate) fn apply(&self, msg: &mut unipos_iso8583::Message) -> Result<(), String> {
        match self.value()? {
            Some(v) => msg
                .set(self.field, v)
                .map(|_| ())
                .map_err(|e| format!("field {}: {e}", self.field)),
            None => {
                msg.remove(self.field);
                Ok(())
            }
        }
    }
}

impl FaultAction {
    /// Whether the rule can be carried out as written: a rewrite's values must fit their
    /// fields under the UnionPay profile (checked by packing each one alone). The admin API
    /// refuses a rule that fails this; rules added from code should be checked too.
    ///
    /// # Errors
    /// What is wrong, naming the field.
    pub fn validate(&self) -> Result<(), String> {
        if let FaultAction::RewriteJson { fields } = self {
            if fields.is_empty() {
                return Err("a rewrite needs at least one key edit".into());
            }
            if fields.iter().any(|e| e.key.is_empty()) {
                return Err("a JSON rewrite names an empty key".into());
            }
            return Ok(());
        }
        let FaultAction::Rewrite { fields } = self else {
            return Ok(());
        };
        if fields.is_empty() {
            return Err("a rewrite needs at least one field edit".into());
        }
        for edit in fields {
            let mti = unipos_iso8583::Mti::new("0210").ok_or("no MTI 0210")?;
            let mut alone = unipos_iso8583::Message::new(mti);
            edit.apply(&mut alone)?;
            if alone.has(edit.field) {
                // The codec's error names the field already ("field 4 (amount): ...").
                unipos_iso8583::cup::profile()
                    .pack(&alone)
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }
}

impl FaultAction {
    fn applies_to_posp(&self) -> bool {
        // Every action but the JSON rewrite applies; `HttpStatus` on the TCP listener closes
        // the connection.
        !matches!(self, FaultAction::RewriteJson { .. })
    }

    fn applies_to_qr(&self) -> bool {
        !matches!(
            self,
            FaultAction::BadMac
                | FaultAction::RespondWith { .. }
                | FaultAction::StaleTrace
                | FaultAction::LoseRecord
                | FaultAction::Rewrite { .. }
        )
    }
}

/// One fault rule. Criteria left `None` match anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Only requests of this terminal (field 41, or the QR request's terminal).
    #[serde(default)]
    pub terminal_id: Option<String>,
    /// Only POSP requests with this MTI, e.g. `"0200"`.
    #[serde(default)]
    pub mti: Option<String>,
    /// Only POSP requests with this processing code (field 3), e.g. `"000000"`.
    #[serde(default)]
    pub processing_code: Option<String>,
    /// Only QR requests of this operation (`pay`, `query`, `reverse`, `refund`, `create`,
    /// `close`).
    #[serde(default)]
    pub qr_operation: Option<String>,
    /// Fire from the nth matching request on (1 = the first).
    #[serde(default)]
    pub nth: Option<u32>,
    /// Fire at most this many times (`None` = every time).
    #[serde(default)]
    pub count: Option<u32>,
    /// What to do.
    pub action: FaultAction,
}

impl FaultRule {
    /// A rule for every POSP request with this MTI.
    pub fn posp(mti: &str, action: FaultAction) -> Self {
        FaultRule {
            terminal_id: None,
            mti: Some(mti.to_owned()),
            processing_code: None,
            qr_operation: None,
            nth: None,
            count: None,
            action,
        }
    }

    /// A rule for every QR request of this operation.
    pub fn qr(operation: &str, action: FaultAction) -> Self {
        FaultRule {
            terminal_id: None,
            mti: None,
            processing_code: None,
            qr_operation: Some(operation.to_owned()),
            nth: None,
            count: None,
            action,
        }
    }

    /// Only this terminal.
    pub fn for_terminal(mut self, terminal_id: &str) -> Self {
        self.terminal_id = Some(terminal_id.to_owned());
        self
    }

    /// Only this processing code.
    pub fn with_processing_code(mut self, code: &str) -> Self {
        self.processing_code = Some(code.to_owned());
        self
    }

    /// From the nth match on.
    pub fn from_nth(mut self, nth: u32) -> Self {
        self.nth = Some(nth);
        self
    }

    /// At most `count` times.
    pub fn times(mut self, count: u32) -> Self {
        self.count = Some(count);
        self
    }

    /// Exactly once.
    pub fn once(self) -> Self {
        self.times(1)
    }

    fn matches(&self, target: &FaultTarget<'_>) -> bool {
        let same = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| Some(w) == have)
        };
        match target {
            FaultTarget::Posp {
                terminal_id,
                mti,
                processing_code,
            } => {
                self.qr_operation.is_none()
                    && self.action.applies_to_posp()
                    && same(&self.terminal_id, *terminal_id)
                    && same(&self.mti, Some(mti))
                    && same(&self.processing_code, *processing_code)
            }
            FaultTarget::Qr {
                terminal_id,
                operation,
            } => {
                self.mti.is_none()
                    && self.processing_code.is_none()
                    && self.action.applies_to_qr()
                    && same(&self.terminal_id, Some(terminal_id))
                    && same(&self.qr_operation, Some(operation))
            }
        }
    }
}

/// Identifies a rule within a [`Faults`] registry.
pub type FaultId = u64;

/// A rule with its counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaultStatus {
    /// Its id.
    pub id: FaultId,
    /// The rule.
    pub rule: FaultRule,
    /// Requests that matched its criteria.
    pub matched: u32,
    /// Times it fired.
    pub fired: u32,
}

/// The request a fault rule is checked against.
#[derive(Debug, Clone, Copy)]
pub enum FaultTarget<'a> {
    /// A POSP (ISO 8583) request.
    Posp {
        /// Field 41, if readable.
        terminal_id: Option<&'a str>,
        /// The MTI.
        mti: &'a str,
        /// Field 3, if present.
        processing_code: Option<&'a str>,
    },
    /// A QR gateway request.
    Qr {
        /// The terminal.
        terminal_id: &'a str,
        /// The operation.
        operation: &'a str,
    },
}

/// The shared registry of fault rules. Clones share the same rules.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    inner: Arc<Mutex<Registry>>,
}

#[derive(Debug, Default)]
struct Registry {
    next_id: FaultId,
    rules: Vec<FaultStatus>,
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a rule (after the existing ones) and returns its id.
    pub fn add(&self, rule: FaultRule) -> FaultId {
        let mut r = self.lock();
        r.next_id += 1;
        let id = r.next_id;
        r.rules.push(FaultStatus {
            id,
            rule,
            matched: 0,
            fired: 0,
        });
        id
    }

    /// Removes one rule; whether it existed.
    pub fn remove(&self, id: FaultId) -> bool {
        let mut r = self.lock();
        let before = r.rules.len();
        r.rules.retain(|s| s.id != id);
        r.rules.len() != before
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// Every rule with its counters, in order.
    pub fn list(&self) -> Vec<FaultStatus> {
        self.lock().rules.clone()
    }

    /// How many times a rule fired (`None` if there is no such rule).
    pub fn fired(&self, id: FaultId) -> Option<u32> {
        self.lock()
            .rules
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.fired)
    }

    /// Counts the request against every matching rule and returns the action of the first
    /// one that fires.
    pub fn check(&self, target: &FaultTarget<'_>) -> Option<FaultAction> {
        let mut r = self.lock();
        if r.rules.is_empty() {
            return None;
        }
        let mut chosen = None;
        for s in r.rules.iter_mut() {
            if !s.rule.matches(target) {
                continue;
            }
            s.matched = s.matched.saturating_add(1);
            let due = s.matched >= s.rule.nth.unwrap_or(1);
            let left = s.rule.count.is_none_or(|c| s.fired < c);
            if chosen.is_none() && due && left {
                s.fired += 1;
                chosen = Some(s.rule.action.clone());
            }
        }
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale<'a>(tid: &'a str) -> FaultTarget<'a> {
        FaultTarget::Posp {
            terminal_id: Some(tid),
            mti: "0200",
            processing_code: Some("000000"),
        }
    }

    #[test]
    fn nth_and_count() {
        let f = Faults::default();
        let id = f.add(
            FaultRule::posp("0200", FaultAction::Garble)
                .from_nth(2)
                .times(2),
        );
        let fired: Vec<bool> = (0..5)
            .map(|_| f.check(&sale("62969002")).is_some())
            .collect();
        assert_eq!(fired, [false, true, true, false, false]);
        assert_eq!(f.fired(id), Some(2));
        assert_eq!(f.list()[0].matched, 5);
    }

    #[test]
    fn criteria_and_kinds() {
        let f = Faults::default();
        f.add(FaultRule::posp("0200", FaultAction::BadMac).for_terminal("62969003"));
        f.add(FaultRule::qr("pay", FaultAction::BadMac));
        assert!(f.check(&sale("62969002")).is_none());
        assert_eq!(f.check(&sale("62969003")), Some(FaultAction::BadMac));
        // BadMac means nothing to the QR gateway: the rule never matches there.
        let qr = FaultTarget::Qr {
            terminal_id: "62969003",
            operation: "pay",
        };
        assert!(f.check(&qr).is_none());
        f.clear();
        assert!(f.list().is_empty());
    }

    #[test]
    fn json_form() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"terminal_id": "62969002", "mti": "0200", "count": 1, "action": {"type": "delay", "ms": 250}}"#,
        )
        .unwrap();
        assert_eq!(rule.action, FaultAction::Delay { ms: 250 });
        let code: FaultRule =
            serde_json::from_str(r#"{"action": {"type": "respond_with", "code": "96"}}"#).unwrap();
        assert_eq!(code.action, FaultAction::RespondWith { code: "96".into() });
        let rewrite: FaultRule = serde_json::from_str(
            r#"{"mti": "0200", "action": {"type": "rewrite", "fields": [{"field": 39, "text": "00"}, {"field": 55, "hex": "9f3602000a"}, {"field": 38}]}}"#,
        )
        .unwrap();
        let FaultAction::Rewrite { fields } = &rewrite.action else {
            panic!("{rewrite:?}");
        };
        let values: Vec<_> = fields.iter().map(|e| e.value().unwrap()).collect();
        assert_eq!(
            values,
            [
                Some(b"00".to_vec()),
                Some(vec![0x9f, 0x36, 0x02, 0x00, 0x0a]),
                None
            ]
        );
        assert_eq!(rewrite.action.validate(), Ok(()));
    }

    #[test]
    fn a_json_rewrite_is_for_the_qr_gateway_only() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"qr_operation": "pay", "action": {"type": "rewrite_json", "fields": [{"key": "paid_fen", "value": 1}, {"key": "channel"}]}}"#,
        )
        .unwrap();
        assert_eq!(rule.action.validate(), Ok(()));
        let f = Faults::default();
        f.add(rule.clone());
        let pay = FaultTarget::Qr {
            terminal_id: "62969002",
            operation: "pay",
        };
        assert_eq!(f.check(&pay), Some(rule.action));
        f.clear();
        f.add(FaultRule {
            qr_operation: None,
            ..FaultRule::posp(
                "0200",
                FaultAction::RewriteJson {
                    fields: vec![JsonEdit {
                        key: "x".into(),
                        value: None,
                    }],
                },
            )
        });
        assert!(f.check(&sale("62969002")).is_none());
        let empty_key = FaultAction::RewriteJson {
            fields: vec![JsonEdit {
                key: String::new(),
                value: None,
            }],
        };
        assert!(empty_key.validate().is_err());
        assert!(FaultAction::RewriteJson { fields: vec![] }
            .validate()
            .is_err());
    }

    #[test]
    fn a_rewrite_that_cannot_be_carried_out_is_refused_naming_the_field() {
        let refused = |edit: FieldEdit| {
            FaultAction::Rewrite { fields: vec![edit] }
                .validate()
                .unwrap_err()
        };
        assert!(refused(FieldEdit::set(64, [0u8; 8])).starts_with("field 64:"));
        assert!(refused(FieldEdit::set(1, "x")).starts_with("field 1:"));
        let both = FieldEdit {
            field: 39,
            text: Some("00".into()),
            hex: Some("3030".into()),
        };
        assert!(refused(both).contains("not both"));
        let bad_hex = FieldEdit {
            field: 55,
            text: None,
            hex: Some("9F3".into()),
        };
        assert!(refused(bad_hex).starts_with("field 55:"));
        // Field 4 is 12 digits, field 39 two characters.
        assert!(refused(FieldEdit::set(4, "12AB")).starts_with("field 4 (amount)"));
        assert!(refused(FieldEdit::set(39, "000")).starts_with("field 39"));
        assert!(FaultAction::Rewrite { fields: vec![] }.validate().is_err());
        assert_eq!(FaultAction::Garble.validate(), Ok(()));
    }
}
