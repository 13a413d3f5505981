//! The QR gateway behind the HTTPS listener: requests under `/qr/` go through the fault
//! rules (matched by terminal and operation, via `Gateway::describe`) to the gateway.

use crate::faults::{FaultAction, FaultTarget, Faults};
use unipos_net::http::{Request, Response};

use crate::qr::Gateway;

/// What the server does with a QR request.
pub(crate) enum QrDelivery {
    /// Send this response, after a delay.
    Respond { response: Response, delay_ms: u64 },
    /// Send nothing; keep the connection until the client gives up.
    Withhold,
    /// Close the connection.
    Close,
}

/// Routes one `/qr/` request through the fault rules to the gateway.
pub(crate) fn route(gateway: &Gateway, faults: &Faults, req: &Request) -> QrDelivery {
    let action = gateway.describe(req).and_then(|info| {
        faults.check(&FaultTarget::Qr {
            terminal_id: &info.terminal_id,
            operation: &info.operation,
        })
    });
    let respond = |response, delay_ms| QrDelivery::Respond { response, delay_ms };
    match action {
        None => respond(gateway.handle(req), 0),
        Some(FaultAction::DropRequest) => QrDelivery::Withhold,
        Some(FaultAction::NoAnswer) => {
            let _ = gateway.handle(req);
            QrDelivery::Withhold
        }
        Some(FaultAction::Delay { ms }) => respond(gateway.handle(req), ms),
        Some(FaultAction::CloseConnection) => QrDelivery::Close,
        Some(FaultAction::Garble) => {
            let mut r = gateway.handle(req);
            for b in r.body.iter_mut() {
                *b ^= 0x5A;
            }
            respond(r, 0)
        }
        // An HTTP server answers a request once; over the terminal's connection per exchange
        // a second copy was never read anyway. The request is still processed (and counted).
        Some(FaultAction::Duplicate) => respond(gateway.handle(req), 0),
        Some(FaultAction::HttpStatus { status }) => respond(Response::json(status, Vec::new()), 0),
        Some(FaultAction::RewriteJson { fields }) => {
            let response = gateway.handle(req);
            respond(gateway.rewritten(req, response, &fields), 0)
        }
        // Not applicable to QR requests (the rule matcher never returns these for QR).
        Some(
            FaultAction::BadMac
            | FaultAction::RespondWith { .. }
            | FaultAction::StaleTrace
            | FaultAction::LoseRecord
            | FaultAction::Rewrite { .. },
        ) => respond(gateway.handle(req), 0),
    }
}
