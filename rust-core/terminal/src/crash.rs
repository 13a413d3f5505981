//! Crash points for the crash tests: with the `crash-points` feature and
//! `UNIPOS_CRASH_AT=<name>` in the environment, the process announces the point on stdout and
//! stops there, so the test can kill it (SIGKILL) at exactly that step. Without the feature
//! this compiles to nothing.

#[cfg(feature = "crash-points")]
pub(crate) fn point(name: &str) {
    use std::io::Write;
    if std::env::var("UNIPOS_CRASH_AT").as_deref() == Ok(name) {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "CRASH_POINT {name}");
        let _ = out.flush();
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}

#[cfg(not(feature = "crash-points"))]
#[inline(always)]
pub(crate) fn point(_name: &str) {}
