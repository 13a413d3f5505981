//! What every service works with: the configuration, the store, the POSP link, the devices, the
//! vault and the clock. Infrastructure, not state of a service: the services keep their own
//! state and meet only here and in the engine.

use crate::config::TerminalConfig;
use crate::error::{EngineError, StorageError};
use crate::hardware::{CancelToken, Hardware, SecurityHandle};
use crate::link::posp::{Answer, HostDemands, HostLink, LinkError};
use crate::model::{
    operator_field63, Caller, MerchantFields, MerchantInfo, Progress, ProgressListener,
};
use crate::store::Store;
use crate::vault::Vault;
use std::sync::Arc;
use unipos_clock::{Clock, LocalTime};
use unipos_crypto::random::RandomSource;
use unipos_iso8583::Message;

/// What the engine needs besides its configuration and database.
pub struct Dependencies {
    /// The PIN pad / secure element holding the TMK and work keys.
    pub security: SecurityHandle,
    /// Card reader, PIN pad, EMV kernel, printer.
    pub hardware: Hardware,
    /// Seals card numbers kept in the journal.
    pub vault: Arc<dyn Vault>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness the protocol needs in clear (the EMV unpredictable number 9F37): the OS in
    /// production ([`unipos_crypto::random::OsRandom`]), a fixed sequence in tests.
    pub random: Box<dyn RandomSource + Send>,
}

impl std::fmt::Debug for Dependencies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dependencies").finish_non_exhaustive()
    }
}

/// Shared infrastructure of one terminal.
pub(crate) struct Ctx {
    pub config: TerminalConfig,
    pub store: Store,
    pub posp: HostLink,
    /// What the host asked for in answers (new sign-in, new downloads).
    pub demands: HostDemands,
    /// The QR gateway path the host announced when it is not the one this terminal speaks.
    pub qr_path_refused: Option<String>,
    pub security: SecurityHandle,
    pub hardware: Hardware,
    pub vault: Arc<dyn Vault>,
    pub clock: Arc<dyn Clock>,
    pub random: Box<dyn RandomSource + Send>,
    pub progress: Option<Arc<dyn ProgressListener>>,
    pub cancel: CancelToken,
    /// The signed-in operator's number (`services::operators` keeps it in step with the
    /// database); `None` when nobody is signed in.
    pub operator: Option<String>,
    /// Who asks for the request being served (the cashier unless the engine serves a merchant
    /// app's request: [`crate::Terminal::serve`]); its scope holds the request ids, and
    /// originals are looked up in it.
    pub caller: Caller,
    /// What the merchant app added to the request being served (order number, remark, who
    /// prints).
    pub merchant_fields: MerchantFields,
}

impl Ctx {
    pub(crate) fn emit(&self, event: Progress) {
        if let Some(p) = &self.progress {
            p.progress(&event);
        }
    }

    /// The EMV unpredictable number (9F37).
    pub(crate) fn unpredictable_number(&mut self) -> Result<[u8; 4], EngineError> {
        let mut un = [0u8; 4];
        self.random.fill(&mut un)?;
        Ok(un)
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    pub(crate) fn local(&self) -> LocalTime {
        self.clock.local(self.config.profile.utc_offset_minutes)
    }

    /// A financial or settlement exchange with the POSP (field 64 MAC'd and checked). What the
    /// answer asks for, and keys that failed, are noted in [`Ctx::demands`] and stored before
    /// this returns.
    pub(crate) fn exchange(&mut self, request: &Message) -> Result<Answer, LinkError> {
        let result = self.posp.exchange(&self.security, request, true);
        let mut demands = self.demands;
        match &result {
            Ok(answer) => demands.note_answer(answer),
            Err(e) => demands.note_failure(e),
        }
        if let Err(e) = self.set_demands(demands) {
            // The answer is what matters now; the demand is noted in memory and retried.
            log::error!("cannot store the host's demand: {e}");
        }
        result
    }

    /// Replaces what the host asked for, durably when it changed.
    pub(crate) fn set_demands(&mut self, demands: HostDemands) -> Result<(), StorageError> {
        if demands == self.demands {
            return Ok(());
        }
        self.demands = demands;
        self.store
            .set_host_demands(demands.sign_in, demands.downloads)
    }

    /// A management exchange (sign-in, downloads, sign-out): no MAC, and the answer's header
    /// is not taken as a new demand (it answers one).
    pub(crate) fn exchange_management(&mut self, request: &Message) -> Result<Answer, LinkError> {
        self.posp.exchange(&self.security, request, false)
    }

    /// The operator code of the next request (field 63) and receipt: the signed-in operator,
    /// or the configured code when nobody is signed in (merchant apps' requests, background
    /// work).
    pub(crate) fn operator_code(&self) -> String {
        self.operator
            .as_deref()
            .map(operator_field63)
            .unwrap_or_else(|| self.config.operator.clone())
    }

    /// Merchant and terminal lines of receipts.
    pub(crate) fn merchant_info(&self) -> MerchantInfo {
        MerchantInfo {
            name: self.config.merchant_name.clone(),
            merchant_id: self.config.merchant_id.clone(),
            terminal_id: self.config.terminal_id.clone(),
            operator: self.operator_code(),
        }
    }
}
