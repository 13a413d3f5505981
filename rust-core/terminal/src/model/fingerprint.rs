//! What a request asks for, as a short text stored with the request id the first time it is
//! used. A repeat of the id with the same fingerprint answers the stored outcome; a repeat
//! with another (another kind, amount or original) is a request-id conflict, never the old
//! outcome presented as the new one. One implementation for card and QR requests, and for
//! every caller scope. No card data: kinds, amounts in fen and references only.

use super::qr::{QrDynamicRequest, QrPayRequest, QrRefundRequest, QrVoidRequest};
use super::requests::{
    BalanceRequest, CompletionRequest, CompletionVoidRequest, PreAuthRequest, PreAuthVoidRequest,
    RefundRequest, SaleRequest, VoidRequest,
};

/// A request's fingerprint.
pub trait Fingerprint {
    /// The text stored with the request id.
    fn fingerprint(&self) -> String;
}

impl Fingerprint for BalanceRequest {
    fn fingerprint(&self) -> String {
        "balance".into()
    }
}

impl Fingerprint for SaleRequest {
    fn fingerprint(&self) -> String {
        format!("sale amount={}", self.amount)
    }
}

impl Fingerprint for VoidRequest {
    fn fingerprint(&self) -> String {
        format!("sale_void trace={:06}", self.trace)
    }
}

impl Fingerprint for RefundRequest {
    fn fingerprint(&self) -> String {
        format!(
            "refund amount={} rrn={} date={}",
            self.amount, self.rrn, self.date
        )
    }
}

impl Fingerprint for PreAuthRequest {
    fn fingerprint(&self) -> String {
        format!("preauth amount={}", self.amount)
    }
}

impl Fingerprint for PreAuthVoidRequest {
    fn fingerprint(&self) -> String {
        format!("preauth_void auth={} date={}", self.auth_code, self.date)
    }
}

impl Fingerprint for CompletionRequest {
    fn fingerprint(&self) -> String {
        format!(
            "{} amount={} auth={} date={}",
            if self.advice {
                "completion_advice"
            } else {
                "completion"
            },
            self.amount,
            self.auth_code,
            self.date
        )
    }
}

impl Fingerprint for CompletionVoidRequest {
    fn fingerprint(&self) -> String {
        format!("completion_void trace={:06}", self.trace)
    }
}

impl Fingerprint for QrPayRequest {
    /// The code is not part of it: it is never stored, and a repeat of the attempt never pays.
    fn fingerprint(&self) -> String {
        format!("qr_pay amount={} order={}", self.amount, self.order_id)
    }
}

impl Fingerprint for QrDynamicRequest {
    fn fingerprint(&self) -> String {
        format!("qr_dynamic amount={} order={}", self.amount, self.order_id)
    }
}

impl Fingerprint for QrRefundRequest {
    fn fingerprint(&self) -> String {
        format!(
            "qr_refund original={} amount={}",
            self.original_request_id, self.amount
        )
    }
}

impl Fingerprint for QrVoidRequest {
    fn fingerprint(&self) -> String {
        format!("qr_void original={}", self.original_request_id)
    }
}

/// Whether a stored fingerprint allows answering a repeat: the same request. (Rows written
/// before fingerprints were kept got theirs from the migration that added them.)
pub fn same_request(stored: &str, repeat: &str) -> bool {
    stored == repeat
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_kind_amount_or_original_differs() {
        let sale = SaleRequest {
            request_id: "a".into(),
            amount: 100,
        };
        let more = SaleRequest {
            request_id: "a".into(),
            amount: 101,
        };
        let refund = RefundRequest {
            request_id: "a".into(),
            amount: 100,
            rrn: "123456789012".into(),
            date: "1121".into(),
        };
        let other_original = RefundRequest {
            rrn: "123456789013".into(),
            ..refund.clone()
        };
        let prints = [
            sale.fingerprint(),
            more.fingerprint(),
            refund.fingerprint(),
            other_original.fingerprint(),
        ];
        for (i, a) in prints.iter().enumerate() {
            for b in &prints[i + 1..] {
                assert!(!same_request(a, b), "{a} vs {b}");
            }
        }
        assert!(same_request(
            &sale.fingerprint(),
            &sale.clone().fingerprint()
        ));
        let advice = CompletionRequest {
            request_id: "c".into(),
            amount: 1,
            auth_code: "123456".into(),
            date: "1121".into(),
            advice: true,
        };
        let request = CompletionRequest {
            advice: false,
            ..advice.clone()
        };
        assert_ne!(advice.fingerprint(), request.fingerprint());
    }
}
