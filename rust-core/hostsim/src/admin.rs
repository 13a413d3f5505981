//! The admin API (plain HTTP, JSON; bind it to loopback): fault rules, ledger, journal,
//! upload reports and processing requirements, so a test in another process can drive a
//! running `unipos host run`. Routes are listed in `docs/hostsim.md`.

use crate::faults::{FaultRule, Faults};
use crate::posp::PospHost;
use crate::qr::Gateway;
use serde::Deserialize;
use serde_json::json;
use unipos_iso8583::cup::ProcessingRequirement;
use unipos_net::http::{Request, Response};

fn ok(value: serde_json::Value) -> Response {
    Response::json(200, value.to_string())
}

fn error(status: u16, message: &str) -> Response {
    Response::json(status, json!({ "error": message }).to_string())
}

fn to_json<T: serde::Serialize>(value: &T) -> Response {
    match serde_json::to_string(value) {
        Ok(s) => Response::json(200, s),
        Err(e) => error(500, &e.to_string()),
    }
}

fn query<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequirementBody {
    requirement: u8,
}

/// Answers one admin request.
pub fn handle(posp: &PospHost, faults: &Faults, gateway: &Gateway, req: &Request) -> Response {
    let (path, q) = req.path.split_once('?').unwrap_or((&req.path, ""));
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["admin", "health"]) => ok(json!({ "ok": true, "seed": posp.seed() })),
        ("GET", ["admin", "faults"]) => to_json(&faults.list()),
        ("POST", ["admin", "faults"]) => match serde_json::from_slice::<FaultRule>(&req.body) {
            Ok(rule) => match rule.action.validate() {
                Ok(()) => ok(json!({ "id": faults.add(rule) })),
                Err(e) => error(400, &format!("bad fault rule: {e}")),
            },
            Err(e) => error(400, &format!("bad fault rule: {e}")),
        },
        ("DELETE", ["admin", "faults"]) => {
            faults.clear();
            ok(json!({ "cleared": true }))
        }
        ("DELETE", ["admin", "faults", id]) => match id.parse::<u64>() {
            Ok(id) if faults.remove(id) => ok(json!({ "removed": id })),
            _ => error(404, "no such fault rule"),
        },
        ("GET", ["admin", "ledger"]) => to_json(&posp.cards()),
        ("GET", ["admin", "cards", pan]) => match posp.card(pan) {
            Some(c) => to_json(&c),
            None => error(404, "no such card"),
        },
        ("GET", ["admin", "journal"]) => match query(q, "terminal") {
            Some(t) => to_json(&posp.journal(t)),
            None => to_json(&posp.journal_all()),
        },
        ("GET", ["admin", "uploads"]) => {
            let terminal = query(q, "terminal");
            let batch = query(q, "batch").and_then(|b| b.parse::<u32>().ok());
            let reports: Vec<_> = posp
                .upload_reports()
                .into_iter()
                .filter(|r| terminal.is_none_or(|t| r.terminal_id == t))
                .filter(|r| batch.is_none_or(|b| r.batch == b))
                .collect();
            to_json(&reports)
        }
        ("GET", ["admin", "terminals"]) => {
            let list: Vec<_> = posp
                .terminal_ids()
                .into_iter()
                .map(|t| {
                    json!({
                        "terminal_id": t,
                        "open_batch": posp.open_batch(&t),
                        "processing_requirement": posp.processing_requirement(&t).map(|r| r.digit()),
                        "signed_in": posp.sessions().get(&t).is_some(),
                    })
                })
                .collect();
            ok(json!(list))
        }
        ("POST", ["admin", "terminals", tid, "processing-requirement"]) => {
            match serde_json::from_slice::<RequirementBody>(&req.body) {
                Ok(b) if b.requirement <= 9 => {
                    if posp.set_processing_requirement(
                        tid,
                        ProcessingRequirement::from_digit(b.requirement),
                    ) {
                        ok(json!({ "terminal_id": tid, "requirement": b.requirement }))
                    } else {
                        error(404, "no such terminal")
                    }
                }
                Ok(_) => error(400, "requirement is one digit"),
                Err(e) => error(400, &format!("bad body: {e}")),
            }
        }
        ("GET", ["admin", "qr", "orders"]) => match query(q, "terminal") {
            Some(t) => to_json(&gateway.orders(t)),
            None => to_json(&gateway.all_orders()),
        },
        (_, ["admin", ..]) => error(404, "no such admin route"),
        _ => error(404, "not an admin path"),
    }
}
