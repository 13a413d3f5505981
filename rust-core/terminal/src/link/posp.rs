//! One 8583 exchange with the POSP: frame, MAC, send, and check the answer (MTI, trace,
//! terminal, MAC). Every way an answer can be unusable is classified for the reversal rules.

use crate::config::TerminalConfig;
use crate::hardware::SecurityHandle;
use std::sync::PoisonError;
use unipos_crypto::MacPadding;
use unipos_iso8583::cup::{self, CupHeader, ProcessingRequirement};
use unipos_iso8583::{FrameLayout, Message, Tpdu};
use unipos_net::{ExchangeError, Transport};

/// The reversal reason for an answer that is missing or unusable (PROTOCOL.md §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoAnswerReason {
    /// `98`: no answer within the timeout (or the connection dropped).
    Timeout,
    /// `A0`: the answer's MAC did not verify (or was missing).
    BadMac,
    /// `06`: anything else (garbled, wrong MTI, stale trace).
    Other,
}

impl NoAnswerReason {
    /// Field 39 of the 0400.
    pub fn code(self) -> &'static str {
        match self {
            NoAnswerReason::Timeout => "98",
            NoAnswerReason::BadMac => "A0",
            NoAnswerReason::Other => "06",
        }
    }
}

/// Why an exchange produced no usable answer.
#[derive(Debug)]
pub enum LinkError {
    /// Nothing was sent.
    NotSent(String),
    /// Sent, no usable answer.
    NoAnswer {
        /// Reversal reason.
        reason: NoAnswerReason,
        /// What happened, safe to show.
        detail: String,
    },
    /// The request could not be built or MAC'd (nothing was sent).
    Local(String),
}

/// A checked answer.
#[derive(Debug)]
pub struct Answer {
    /// The decoded message.
    pub message: Message,
    /// What the host asks for next (response header).
    pub requirement: ProcessingRequirement,
}

impl Answer {
    /// Field 39.
    pub fn response_code(&self) -> &str {
        self.message.text(39).unwrap_or("")
    }
}

/// The POSP link of one terminal.
pub struct HostLink {
    transport: Transport,
    tpdu: Tpdu,
    header: CupHeader,
    mac_algorithm: unipos_crypto::MacAlgorithm,
    terminal_id: String,
}

impl std::fmt::Debug for HostLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostLink")
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl HostLink {
    /// A link for the configured POSP.
    pub fn new(config: &TerminalConfig) -> Result<HostLink, crate::error::EngineError> {
        let profile = &config.profile;
        let bad = |e: String| crate::error::EngineError::Config(format!("POSP: {e}"));
        let transport = Transport::new(config.posp.endpoint(), crate::config::timeouts(profile))
            .map_err(|e| bad(e.to_string()))?;
        let profile_bad = |e: unipos_profile::ProfileError| bad(e.to_string());
        Ok(HostLink {
            transport,
            tpdu: Tpdu(profile.tpdu_bytes().map_err(profile_bad)?),
            header: CupHeader(profile.header_bytes().map_err(profile_bad)?),
            mac_algorithm: config.profile.mac.algorithm(),
            terminal_id: config.terminal_id.clone(),
        })
    }

    /// Packs and MACs `request` (when `with_mac`), sends it, and checks the answer.
    pub fn exchange(
        &self,
        security: &SecurityHandle,
        request: &Message,
        with_mac: bool,
    ) -> Result<Answer, LinkError> {
        let profile = cup::profile();
        let mut request = request.clone();
        if with_mac {
            request
                .set(64, [0u8; 8])
                .map_err(|e| LinkError::Local(e.to_string()))?;
        }
        let mut packed = profile
            .pack(&request)
            .map_err(|e| LinkError::Local(e.to_string()))?;
        if with_mac {
            let mac = self.mac(security, &packed)?;
            let len = packed.len();
            packed[len - 8..].copy_from_slice(&mac);
        }
        let mut body = Vec::with_capacity(11 + packed.len());
        body.extend_from_slice(&self.tpdu.0);
        body.extend_from_slice(&self.header.0);
        body.extend_from_slice(&packed);

        let answer = self
            .transport
            .exchange_frame(2, &body, "/posp")
            .map_err(|e| match e {
                ExchangeError::NotSent(reason) => LinkError::NotSent(reason.to_string()),
                // Every way the transport can fail after sending (timeout, reset, close, HTTP
                // status, a frame that does not even split) is reversed with 98, as before;
                // 06 and A0 are decided by `check` on answers that did arrive.
                ExchangeError::NoAnswer(kind) => LinkError::NoAnswer {
                    reason: NoAnswerReason::Timeout,
                    detail: kind.to_string(),
                },
            })?;
        self.check(security, &request, &answer, with_mac)
    }

    fn mac(&self, security: &SecurityHandle, packed: &[u8]) -> Result<[u8; 8], LinkError> {
        let block = cup::mac_block(packed).ok_or(LinkError::Local("message too short".into()))?;
        security
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .mac(self.mac_algorithm, MacPadding::Method1, block)
            .map_err(|e| LinkError::Local(e.to_string()))
    }

    fn check(
        &self,
        security: &SecurityHandle,
        request: &Message,
        answer: &[u8],
        with_mac: bool,
    ) -> Result<Answer, LinkError> {
        let garbled = |detail: String| LinkError::NoAnswer {
            reason: NoAnswerReason::Other,
            detail,
        };
        let parts = FrameLayout::UNIONPAY
            .split_body(answer)
            .map_err(|e| garbled(format!("garbled answer: {e}")))?;
        let message = cup::profile()
            .unpack(parts.message)
            .map_err(|e| garbled(format!("garbled answer: {e}")))?;
        if message.mti() != request.mti().response() {
            return Err(garbled(format!(
                "answer {} does not match request {}",
                message.mti(),
                request.mti()
            )));
        }
        if message.get(11) != request.get(11) {
            return Err(garbled("answer for another trace number (stale)".into()));
        }
        if message.has(41) && message.text(41) != Some(self.terminal_id.as_str()) {
            return Err(garbled("answer for another terminal".into()));
        }
        if with_mac {
            let received = message.get(64).ok_or(LinkError::NoAnswer {
                reason: NoAnswerReason::BadMac,
                detail: "the answer carries no MAC".into(),
            })?;
            let expected = self.mac(security, parts.message)?;
            if !unipos_crypto::mac::verify_mac(&expected, received) {
                return Err(LinkError::NoAnswer {
                    reason: NoAnswerReason::BadMac,
                    detail: "the answer's MAC does not verify".into(),
                });
            }
        }
        let requirement = CupHeader::from_bytes(parts.header)
            .map(|h| h.processing_requirement())
            .unwrap_or(ProcessingRequirement::None);
        Ok(Answer {
            message,
            requirement,
        })
    }
}

/// What the host asked the terminal to do next, learned from answers: a new sign-in (response
/// header, response codes `A0`/`97`, an answer whose MAC failed) or new downloads (response
/// header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HostDemands {
    /// Sign in again before the next transaction.
    pub sign_in: bool,
    /// Download parameters, CA keys and AIDs again before the next transaction.
    pub downloads: bool,
}

impl HostDemands {
    /// Notes what a checked answer asks for.
    pub fn note_answer(&mut self, answer: &Answer) {
        use unipos_iso8583::cup::ProcessingRequirement as R;
        match answer.requirement {
            R::SignIn => {
                log::info!("the host asks for a new sign-in");
                self.sign_in = true;
            }
            R::DownloadParameters | R::DownloadCaKeys | R::DownloadAidParameters => {
                log::info!("the host asks for new downloads");
                self.downloads = true;
            }
            _ => {}
        }
        if matches!(answer.response_code(), "A0" | "97") {
            self.sign_in = true;
        }
    }

    /// Notes a failed exchange: an answer whose MAC does not verify means the keys are out of
    /// step.
    pub fn note_failure(&mut self, error: &LinkError) {
        if matches!(
            error,
            LinkError::NoAnswer {
                reason: NoAnswerReason::BadMac,
                ..
            }
        ) {
            self.sign_in = true;
        }
    }
}
