//! The management screens' work (管理): key status as check values, the parameters in force,
//! the communication test (回响测试) and the printer test. Nothing here moves money or changes
//! a batch.

use super::session::management;
use crate::config::HostAddress;
use crate::context::Ctx;
use crate::error::EngineError;
use crate::link::posp::LinkError;
use crate::model::{EchoResult, KeyCheck, KeyStatus, Progress, TerminalParameter};
use std::sync::PoisonError;
use unipos_iso8583::cup::NetworkCode;

/// Whether work keys are installed, and the check values the last sign-in installed them with.
pub(crate) fn key_status(ctx: &Ctx) -> Result<KeyStatus, EngineError> {
    let installed = ctx
        .security
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .has_work_keys();
    let keys = ctx
        .store
        .work_key_checks()?
        .into_iter()
        .map(|(role, check_value)| KeyCheck { role, check_value })
        .collect();
    Ok(KeyStatus {
        work_keys_installed: installed,
        keys,
        signed_in_day: ctx.store.signed_in_day()?,
    })
}

fn addresses(h: &HostAddress) -> String {
    let tls = matches!(h, HostAddress::Https { .. });
    format!(
        "{}{}",
        h.addresses().join(", "),
        if tls { " (TLS)" } else { "" }
    )
}

/// The parameters in force, read only: identity, hosts, the acquirer profile's choices, the
/// downloads and the counters. No key, no certificate body.
pub(crate) fn parameters(ctx: &Ctx) -> Result<Vec<TerminalParameter>, EngineError> {
    let c = &ctx.config;
    let p = &c.profile;
    let mut out: Vec<(&str, String)> = vec![
        ("terminal_id", c.terminal_id.clone()),
        ("merchant_id", c.merchant_id.clone()),
        ("merchant_name", c.merchant_name.clone()),
        ("posp", addresses(&c.posp)),
        (
            "qr_gateway",
            c.qr_gateway.as_ref().map(addresses).unwrap_or_default(),
        ),
        ("profile", p.name.clone()),
        ("tpdu", p.tpdu.clone()),
        ("mac_scheme", format!("{:?}", p.mac)),
        (
            "key_mode",
            format!("{:03}", p.key_mode.network_code().code()),
        ),
        ("currency", p.currency.clone()),
        ("connect_timeout_ms", p.timeouts.connect_ms.to_string()),
        ("response_timeout_ms", p.timeouts.response_ms.to_string()),
        ("reversal_retries", p.reversal.retries.to_string()),
        ("partial_approval", p.partial_approval.to_string()),
        (
            "auto_settlement",
            c.auto_settlement.clone().unwrap_or_default(),
        ),
        ("receipt_width", c.receipts.width.to_string()),
        ("batch", format!("{:06}", ctx.store.current_batch()?)),
        ("last_trace", format!("{:06}", ctx.store.last_trace()?)),
        (
            "downloaded_parameters",
            ctx.store.download_count("param")?.to_string(),
        ),
        ("ca_keys", ctx.store.download_count("capk")?.to_string()),
        ("aids", ctx.store.download_count("aid")?.to_string()),
    ];
    out.retain(|(_, v)| !v.is_empty());
    Ok(out
        .into_iter()
        .map(|(name, value)| TerminalParameter {
            name: name.to_owned(),
            value,
        })
        .collect())
}

/// 回响测试: an echo (0820, 60.3 = 301) to the POSP, timed by the engine's clock.
pub(crate) fn echo_test(ctx: &mut Ctx) -> Result<EchoResult, EngineError> {
    let m = management(ctx, "0820", NetworkCode::EchoTest)?;
    ctx.emit(Progress::Startup("echo test".into()));
    let started = ctx.now();
    let answer = ctx.exchange_management(&m).map_err(|e| match e {
        LinkError::NotSent(d) => EngineError::HostUnreachable(d),
        LinkError::NoAnswer { detail, .. } => {
            EngineError::Protocol(format!("echo test: no valid answer ({detail})"))
        }
        LinkError::Local(d) => EngineError::Protocol(d),
    })?;
    let round_trip_ms = u64::try_from(ctx.now() - started).unwrap_or(0);
    Ok(EchoResult {
        response_code: answer.response_code().to_owned(),
        round_trip_ms,
    })
}

/// 打印测试: a short test slip (merchant, terminal, operator, printer width ruler). Returns
/// the printed lines.
pub(crate) fn printer_test(ctx: &mut Ctx) -> Result<Vec<String>, EngineError> {
    let width = ctx.config.receipts.width.max(24);
    let info = ctx.merchant_info();
    let lines = vec![
        "打印测试 / PRINTER TEST".to_owned(),
        "-".repeat(width),
        format!("商户 MERCHANT: {}", info.merchant_id),
        format!("终端 TERMINAL: {}", info.terminal_id),
        format!("操作员 OPERATOR: {}", info.operator),
        ctx.local().display(),
        "0123456789".repeat(width / 10 + 1)[..width].to_owned(),
        "-".repeat(width),
    ];
    ctx.emit(Progress::Printing);
    ctx.hardware.printer.print(&lines)?;
    Ok(lines)
}
