//! The HTTP face of the gateway: authentication, decoding, dispatch, signed answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use unipos_clock::{Clock, ManualClock, CHINA_OFFSET_MINUTES};
use unipos_crypto::DesKey;
use unipos_net::http::{Request, Response};
use unipos_qr_protocol::auth::{
    key_mac, sign_response, verify_request, HEADER_MAC, HEADER_TERMINAL,
};
use unipos_qr_protocol::messages::{
    decode_request, encode, parse_time, CloseRequest, CreateRequest, ErrorResponse, PayRequest,
    QrRequest, QrResponse, QueryRequest, RefundRequest, ReverseRequest, Status, MAX_BODY_LEN,
};
use unipos_qr_protocol::{
    mask_code, Channel, ErrorCode, Operation, QrProtocolError, QrResult, Route,
};

use super::behaviour::Behaviour;
use super::config::QrConfig;
use super::orders::{AdminError, Ledger, OrderSnapshot, PayDecision};

/// The path prefix of the customer-facing page a dynamic order's `code_url` leads to.
pub const CUSTOMER_PATH_PREFIX: &str = "/qr/pay/";

/// Who sent a gateway request and what it asks for (for logs and fault injection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrRequestInfo {
    /// The terminal id from `X-Unipos-Terminal` (or, without it, from the body).
    pub terminal_id: String,
    /// `pay`, `query`, `reverse`, `refund`, `create` or `close`.
    pub operation: String,
}

/// The acquirer's aggregated QR gateway, simulated. Cheap to share: `Send + Sync`, every
/// method takes `&self`.
#[derive(Debug)]
pub struct Gateway {
    qr_keys: Mutex<QrKeys>,
    clock: Arc<dyn Clock>,
    config: QrConfig,
    ledger: Mutex<Ledger>,
    scripts: Mutex<HashMap<String, Behaviour>>,
}

/// Each terminal's QR gateway key, by terminal id.
pub type QrKeys = HashMap<String, DesKey>;

/// A terminal's request that passed authentication.
struct Authed {
    terminal_id: String,
    key: DesKey,
    op: Operation,
}

impl Gateway {
    /// A gateway that authenticates terminals with their QR keys (the acquirer's key
    /// database): no POSP session is involved.
    pub fn new(qr_keys: QrKeys, clock: Arc<dyn Clock>, config: QrConfig) -> Gateway {
        Gateway {
            qr_keys: Mutex::new(qr_keys),
            clock,
            config,
            ledger: Mutex::new(Ledger::default()),
            scripts: Mutex::new(HashMap::new()),
        }
    }

    /// Gives a terminal a (new) QR key, as the acquirer's key management would.
    pub fn set_qr_key(&self, terminal_id: &str, key: DesKey) {
        self.qr_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(terminal_id.to_owned(), key);
    }

    /// Revokes a terminal's QR key: its requests are refused (401) from now on.
    pub fn revoke_qr_key(&self, terminal_id: &str) -> bool {
        self.qr_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(terminal_id)
            .is_some()
    }

    /// The configuration.
    pub fn config(&self) -> &QrConfig {
        &self.config
    }

    /// Scripts the behaviour of one payment code (overrides the configuration and the
    /// last-two-digits table) for pays that arrive from now on.
    pub fn script_code(&self, code: &str, behaviour: Behaviour) {
        self.scripts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(code.to_owned(), behaviour);
    }

    /// The behaviour a payment code gets: script, then configuration, then the table.
    pub fn behaviour_for(&self, code: &str) -> Behaviour {
        if let Some(b) = self
            .scripts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(code)
        {
            return *b;
        }
        if let Some(b) = self.config.scripts.get(code) {
            return *b;
        }
        Behaviour::by_suffix(
            code,
            self.config.password_wait_secs(),
            self.config.reverse_retries(),
        )
    }

    /// The simulated customer pays a dynamic order now (identified by the token at the end of
    /// its `code_url`, or by `out_trade_no`), with the channel the default rule picks from
    /// the amount (fen mod 3: 0 WeChat, 1 Alipay, 2 UnionPay). Also confirms a scanned order
    /// whose customer is still entering the password.
    ///
    /// # Errors
    /// [`AdminError`] when no such order exists or it can no longer be paid.
    pub fn simulate_customer_pays(
        &self,
        token_or_out_trade_no: &str,
    ) -> Result<OrderSnapshot, AdminError> {
        self.pay_as_customer(token_or_out_trade_no, None)
    }

    /// As [`Gateway::simulate_customer_pays`], paying with the given channel's app.
    ///
    /// # Errors
    /// [`AdminError`] when no such order exists or it can no longer be paid.
    pub fn simulate_customer_pays_with(
        &self,
        token_or_out_trade_no: &str,
        channel: Channel,
    ) -> Result<OrderSnapshot, AdminError> {
        self.pay_as_customer(token_or_out_trade_no, Some(channel))
    }

    fn pay_as_customer(
        &self,
        key: &str,
        channel: Option<Channel>,
    ) -> Result<OrderSnapshot, AdminError> {
        let key = key.rsplit('/').next().unwrap_or(key);
        let now = self.clock.now_millis();
        self.ledger().customer_pays(key, channel, now, &self.config)
    }

    /// One terminal's orders, in creation order, for tests and reconciliation.
    pub fn orders(&self, terminal_id: &str) -> Vec<OrderSnapshot> {
        let now = self.clock.now_millis();
        self.ledger()
            .snapshots(Some(terminal_id), now, &self.config)
    }

    /// Every terminal's orders, in creation order.
    pub fn all_orders(&self) -> Vec<OrderSnapshot> {
        let now = self.clock.now_millis();
        self.ledger().snapshots(None, now, &self.config)
    }

    /// One order.
    pub fn order(&self, terminal_id: &str, out_trade_no: &str) -> Option<OrderSnapshot> {
        self.orders(terminal_id)
            .into_iter()
            .find(|o| o.out_trade_no == out_trade_no)
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Who sent a request and which operation it is; `None` for anything that is not a
    /// terminal request to a known endpoint. Does not authenticate.
    pub fn describe(&self, req: &Request) -> Option<QrRequestInfo> {
        let op = Operation::from_path(&req.path)?;
        let terminal_id = match req.header(HEADER_TERMINAL) {
            Some(t) => t.to_owned(),
            None => serde_json::from_slice::<serde_json::Value>(&req.body)
                .ok()?
                .get("terminal_id")?
                .as_str()?
                .to_owned(),
        };
        Some(QrRequestInfo {
            terminal_id,
            operation: op.name().to_owned(),
        })
    }

    /// Answers one HTTP request for a path under `/qr/`. Never panics.
    pub fn handle(&self, req: &Request) -> Response {
        if let Some(token) = req.path.strip_prefix(CUSTOMER_PATH_PREFIX) {
            return self.customer_page(req, token);
        }
        let authed = match self.authenticate(req) {
            Ok(a) => a,
            Err(resp) => return resp,
        };
        let (status, body) = match authed.op {
            Operation::Pay => self.run(&authed, &req.body, |r: &PayRequest, now| {
                self.ledger().pay(r, || self.decide(r), now, &self.config)
            }),
            Operation::Query => self.run(&authed, &req.body, |r: &QueryRequest, now| {
                self.ledger()
                    .query(&r.0.terminal_id, &r.0.out_trade_no, now, &self.config)
            }),
            Operation::Reverse => self.run(&authed, &req.body, |r: &ReverseRequest, now| {
                self.ledger().reverse(
                    &r.0.terminal_id,
                    &r.0.merchant_id,
                    &r.0.out_trade_no,
                    now,
                    &self.config,
                )
            }),
            Operation::Refund => self.run(&authed, &req.body, |r: &RefundRequest, now| {
                self.ledger().refund(r, now, &self.config)
            }),
            Operation::Create => self.run(&authed, &req.body, |r: &CreateRequest, now| {
                self.ledger().create(r, now, &self.config)
            }),
            Operation::Close => self.run(&authed, &req.body, |r: &CloseRequest, now| {
                self.ledger().close(
                    &r.0.terminal_id,
                    &r.0.merchant_id,
                    &r.0.out_trade_no,
                    now,
                    &self.config,
                )
            }),
        };
        self.signed(&authed, &req.path, status, body)
    }

    /// `response` to `req` with top-level keys of its JSON body edited and signed again (fault
    /// injection: a gateway that answers authentically but wrongly). An answer that is not a JSON
    /// object, or to a request that did not authenticate, goes out as it was.
    pub(crate) fn rewritten(
        &self,
        req: &Request,
        response: Response,
        edits: &[crate::faults::JsonEdit],
    ) -> Response {
        let Ok(authed) = self.authenticate(req) else {
            return response;
        };
        let Ok(serde_json::Value::Object(mut object)) =
            serde_json::from_slice::<serde_json::Value>(&response.body)
        else {
            return response;
        };
        for edit in edits {
            edit.apply(&mut object);
        }
        match serde_json::to_vec(&serde_json::Value::Object(object)) {
            Ok(body) => self.signed(&authed, &req.path, response.status, body),
            Err(_) => response,
        }
    }

    /// Method, path, terminal, session and MAC. Failures answer without a MAC (401 when the
    /// terminal cannot be authenticated: there is no key both sides share).
    fn authenticate(&self, req: &Request) -> Result<Authed, Response> {
        let Some(op) = Operation::from_path(&req.path) else {
            return Err(plain(
                404,
                ErrorCode::NotFound,
                "no such QR gateway endpoint; use POST /qr/v1/{pay,query,reverse,refund,create,close}",
            ));
        };
        if req.method != "POST" {
            return Err(plain(405, ErrorCode::InvalidRequest, "use POST"));
        }
        let Some(terminal_id) = req.header(HEADER_TERMINAL).map(str::trim) else {
            return Err(plain(
                401,
                ErrorCode::MacInvalid,
                "missing X-Unipos-Terminal header",
            ));
        };
        let known = self
            .qr_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(terminal_id)
            .cloned();
        let Some(key) = known else {
            log::warn!("qr {op} from terminal {terminal_id}: no QR key for this terminal");
            return Err(plain(
                401,
                ErrorCode::MacInvalid,
                "unknown terminal: the acquirer has no QR key for it",
            ));
        };
        match verify_request(
            &req.method,
            &req.path,
            &req.body,
            req.header(HEADER_MAC),
            key_mac(&key, self.config.mac),
        ) {
            Ok(()) => Ok(Authed {
                terminal_id: terminal_id.to_owned(),
                key,
                op,
            }),
            Err(QrProtocolError::Crypto(e)) => {
                log::error!("qr {op} from terminal {terminal_id}: cannot MAC: {e}");
                Err(plain(
                    500,
                    ErrorCode::SystemError,
                    "the gateway cannot compute MACs with this terminal's key and the configured algorithm",
                ))
            }
            Err(e) => {
                log::warn!("qr {op} from terminal {terminal_id}: {e}");
                Err(plain(401, ErrorCode::MacInvalid, &e.to_string()))
            }
        }
    }

    /// Decodes, validates and checks a request, then runs the operation.
    fn run<R: QrRequest>(
        &self,
        authed: &Authed,
        body: &[u8],
        op: impl FnOnce(&R, i64) -> R::Response,
    ) -> (u16, Vec<u8>) {
        let refuse = |status: u16, s: Status| {
            (
                status,
                encode(&ErrorResponse { status: s }).unwrap_or_default(),
            )
        };
        if body.len() > MAX_BODY_LEN {
            return refuse(
                413,
                Status::fail(ErrorCode::InvalidRequest).with_message("request body too large"),
            );
        }
        let request: R = match decode_request(body) {
            Ok(r) => r,
            Err(QrProtocolError::Invalid(v)) => {
                return refuse(400, Status::fail(v.code).with_message(v.to_string()))
            }
            Err(e) => {
                return refuse(
                    400,
                    Status::fail(ErrorCode::InvalidRequest).with_message(e.to_string()),
                )
            }
        };
        if request.terminal_id() != authed.terminal_id {
            return refuse(
                400,
                Status::fail(ErrorCode::TerminalMismatch)
                    .with_message("terminal_id differs from the X-Unipos-Terminal header"),
            );
        }
        let now = self.clock.now_millis();
        if let Some(message) = self.skew_problem(&request, now) {
            return refuse(
                400,
                Status::fail(ErrorCode::InvalidRequest).with_message(message),
            );
        }
        let response = op(&request, now);
        log::info!(
            "qr {} {}/{}: {:?} {:?}",
            R::OPERATION,
            authed.terminal_id,
            request.out_trade_no(),
            response.status().result,
            response.status().code,
        );
        match encode(&response) {
            Ok(bytes) => (200, bytes),
            Err(e) => refuse(
                500,
                Status::unknown(ErrorCode::SystemError).with_message(e.to_string()),
            ),
        }
    }

    fn skew_problem<R: QrRequest>(&self, request: &R, now: i64) -> Option<String> {
        let max = self.config.max_clock_skew_secs?;
        let value = serde_json::to_value(request).ok()?;
        let (y, mo, d, h, mi, s) = parse_time(value.get("request_time")?.as_str()?)?;
        let sent = ManualClock::at_local(
            i32::try_from(y).ok()?,
            mo,
            d,
            h,
            mi,
            s,
            CHINA_OFFSET_MINUTES,
        )
        .now_millis();
        let off = (sent - now).abs() / 1000;
        (u64::try_from(off).ok()? > max)
            .then(|| format!("request_time is {off} s away from the gateway clock (limit {max} s)"))
    }

    /// Routes a new pay's code and picks its behaviour.
    fn decide(&self, req: &PayRequest) -> PayDecision {
        let channel = match self.config.router.route(&req.auth_code) {
            Ok(Route::Channel(c)) => c,
            Ok(Route::Auto) | Err(_) => {
                return Err(Status::fail(ErrorCode::InvalidCode).with_message(
                    "not a WeChat, Alipay or UnionPay payment code: ask the customer to refresh the code",
                ))
            }
        };
        if let Some(claimed) = req.channel {
            if claimed != channel {
                return Err(
                    Status::fail(ErrorCode::ChannelMismatch).with_message(format!(
                        "the code belongs to {}, not {}",
                        channel.code(),
                        claimed.code()
                    )),
                );
            }
        }
        let behaviour = self.behaviour_for(&req.auth_code);
        log::info!(
            "qr pay {}/{} {} {} fen via {}: {:?}",
            req.terminal_id,
            req.out_trade_no,
            mask_code(&req.auth_code),
            req.amount_fen,
            channel.code(),
            behaviour
        );
        Ok((channel, behaviour))
    }

    /// Adds `X-Unipos-Mac` under the terminal's MAK.
    fn signed(&self, authed: &Authed, path: &str, status: u16, body: Vec<u8>) -> Response {
        match sign_response(status, path, &body, key_mac(&authed.key, self.config.mac)) {
            Ok(mac) => {
                let mut resp = Response::json(status, body);
                resp.headers.push((HEADER_MAC.to_owned(), mac));
                resp
            }
            Err(e) => {
                log::error!("qr: cannot MAC the answer to {}: {e}", authed.terminal_id);
                plain(
                    500,
                    ErrorCode::SystemError,
                    "the gateway cannot MAC its answer",
                )
            }
        }
    }

    /// The page a dynamic order's `code_url` opens: the "three codes in one" server. The
    /// wallet is recognised by its User-Agent (`MicroMessenger`, `AlipayClient`,
    /// `UnionPay/<version> <app>`) and the simulated customer pays with it at once.
    fn customer_page(&self, req: &Request, token: &str) -> Response {
        #[derive(Serialize)]
        struct Page<'a> {
            result: QrResult,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            channel: Option<Channel>,
            #[serde(skip_serializing_if = "Option::is_none")]
            amount_fen: Option<u64>,
        }
        let page = |status: u16, result, message: &str, channel, amount_fen| {
            let body = serde_json::to_vec(&Page {
                result,
                message,
                channel,
                amount_fen,
            })
            .unwrap_or_default();
            Response::json(status, body)
        };
        if !self.ledger().token_exists(token) {
            return page(404, QrResult::Fail, "no such payment code", None, None);
        }
        let ua = req.header("User-Agent").unwrap_or("");
        let channel = if ua.contains("MicroMessenger") {
            Channel::WeChat
        } else if ua.contains("AlipayClient") {
            Channel::Alipay
        } else if ua.contains("UnionPay/") {
            Channel::UnionPay
        } else {
            return page(
                200,
                QrResult::Fail,
                "open this code with WeChat, Alipay or a UnionPay app",
                None,
                None,
            );
        };
        match self.pay_as_customer(token, Some(channel)) {
            Ok(o) => page(
                200,
                QrResult::Success,
                "paid",
                o.channel,
                Some(o.amount_fen),
            ),
            Err(e) => page(409, QrResult::Fail, &e.to_string(), None, None),
        }
    }
}

/// An unsigned JSON error answer.
fn plain(status: u16, code: ErrorCode, message: &str) -> Response {
    let body = encode(&ErrorResponse {
        status: Status::fail(code).with_message(message),
    })
    .unwrap_or_default();
    Response::json(status, body)
}
