//! Rust `log` records forwarded to a Kotlin [`LogSink`] (which sends them to logcat on
//! Android, or anywhere on a desktop JVM), after a redaction filter: card-number-like digit runs
//! are masked (first 6, last 4) and long hex runs (keys, PIN blocks, track data, message dumps)
//! are removed. The engine never logs such data; this is defence in depth.

use crate::callbacks::CallbackError;
use crate::redact::redact;
use std::sync::{Arc, RwLock};

/// Log levels, as in the Rust `log` crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    /// Errors.
    Error,
    /// Warnings.
    Warn,
    /// Information.
    Info,
    /// Debugging.
    Debug,
    /// Everything.
    Trace,
}

impl LogLevel {
    fn filter(self) -> log::LevelFilter {
        match self {
            LogLevel::Error => log::LevelFilter::Error,
            LogLevel::Warn => log::LevelFilter::Warn,
            LogLevel::Info => log::LevelFilter::Info,
            LogLevel::Debug => log::LevelFilter::Debug,
            LogLevel::Trace => log::LevelFilter::Trace,
        }
    }

    fn from_log(level: log::Level) -> LogLevel {
        match level {
            log::Level::Error => LogLevel::Error,
            log::Level::Warn => LogLevel::Warn,
            log::Level::Info => LogLevel::Info,
            log::Level::Debug => LogLevel::Debug,
            log::Level::Trace => LogLevel::Trace,
        }
    }
}

/// One log record, already redacted.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LogRecord {
    /// Level.
    pub level: LogLevel,
    /// Module path of the origin (`unipos_terminal::engine::card`).
    pub target: String,
    /// The text.
    pub message: String,
}

/// Receives the library's log records. Called on the library's threads (never the UI thread);
/// must return quickly; a throw is ignored.
#[uniffi::export(callback_interface)]
pub trait LogSink: Send + Sync {
    /// One record.
    fn log(&self, record: LogRecord) -> Result<(), CallbackError>;
}

static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);

struct Forwarder;

static FORWARDER: Forwarder = Forwarder;

impl log::Log for Forwarder {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let sink = match SINK.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        if let Some(sink) = sink {
            let rec = LogRecord {
                level: LogLevel::from_log(record.level()),
                target: record.target().to_owned(),
                message: redact(&record.args().to_string()),
            };
            // A sink that throws must not break the caller; nothing sensible to do with it.
            let _ = sink.log(rec);
        }
    }

    fn flush(&self) {}
}

/// Installs (or removes, with `None`) the log sink and sets the maximum level forwarded.
/// The Rust logger is registered on the first call; later calls only swap the sink.
#[uniffi::export]
pub fn set_log_sink(sink: Option<Box<dyn LogSink>>, max_level: LogLevel) {
    let sink: Option<Arc<dyn LogSink>> = sink.map(Arc::from);
    match SINK.write() {
        Ok(mut guard) => *guard = sink,
        Err(poisoned) => *poisoned.into_inner() = sink,
    }
    // Fails only if another logger was installed first (not in this library): then records go
    // there, which is the host application's choice.
    let _ = log::set_logger(&FORWARDER);
    log::set_max_level(max_level.filter());
}
