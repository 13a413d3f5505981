//! `unipos-clock`: time as a dependency.
//!
//! Every component that reads the time (STAN dates, QR deadlines, pre-authorisation expiry,
//! automatic settlement) takes an `Arc<dyn Clock>`, so tests can run the 30–60 s QR timers and
//! the 30-day pre-authorisation validity in no wall time with a [`ManualClock`].
//!
//! ```
//! use std::time::Duration;
//! use unipos_clock::{Clock, ManualClock};
//! let clock = ManualClock::at_local(2026, 11, 21, 9, 30, 0, 8 * 60);
//! clock.sleep(Duration::from_secs(45)); // returns at once, time moves on
//! assert_eq!(clock.local(8 * 60).hhmmss(), "093045");
//! ```

#![warn(missing_docs)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// China Standard Time, UTC+8, in minutes: the default offset for local date and time fields.
pub const CHINA_OFFSET_MINUTES: i32 = 8 * 60;

/// A source of time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;

    /// Waits `duration` (a manual clock just moves its time forward).
    fn sleep(&self, duration: Duration);

    /// The local calendar time at `offset_minutes` east of UTC.
    fn local(&self, offset_minutes: i32) -> LocalTime {
        LocalTime::from_millis(self.now_millis(), offset_minutes)
    }
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// A clock that moves only when told to (or when something sleeps on it). Clones share time.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    millis: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock at `millis` since the epoch.
    pub fn new(millis: i64) -> Self {
        ManualClock {
            millis: Arc::new(AtomicI64::new(millis)),
        }
    }

    /// A clock at the given local time.
    pub fn at_local(
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        offset_minutes: i32,
    ) -> Self {
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second)
            - i64::from(offset_minutes) * 60;
        ManualClock::new(secs * 1000)
    }

    /// Moves time forward.
    pub fn advance(&self, by: Duration) {
        self.millis
            .fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }

    /// Sets the time.
    pub fn set_millis(&self, millis: i64) {
        self.millis.store(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.millis.load(Ordering::SeqCst)
    }

    fn sleep(&self, duration: Duration) {
        self.advance(duration);
    }
}

/// Calendar fields of a local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalTime {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month 1–12.
    pub month: u32,
    /// Day 1–31.
    pub day: u32,
    /// Hour 0–23.
    pub hour: u32,
    /// Minute 0–59.
    pub minute: u32,
    /// Second 0–59.
    pub second: u32,
}

impl LocalTime {
    /// The local time of `millis` since the epoch at `offset_minutes` east of UTC.
    pub fn from_millis(millis: i64, offset_minutes: i32) -> Self {
        let secs = millis.div_euclid(1000) + i64::from(offset_minutes) * 60;
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        LocalTime {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
        }
    }

    /// `MMDD` (fields 13, 15).
    pub fn mmdd(&self) -> String {
        format!("{:02}{:02}", self.month, self.day)
    }

    /// `hhmmss` (field 12).
    pub fn hhmmss(&self) -> String {
        format!("{:02}{:02}{:02}", self.hour, self.minute, self.second)
    }

    /// `YYYYMMDD`.
    pub fn yyyymmdd(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// `YYMMDD` (EMV 9A).
    pub fn yymmdd(&self) -> String {
        format!(
            "{:02}{:02}{:02}",
            self.year.rem_euclid(100),
            self.month,
            self.day
        )
    }

    /// `YYYY-MM-DD hh:mm:ss`, for receipts and reports.
    pub fn display(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// Days since 1970-01-01 of this date.
    pub fn day_number(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }
}

// Howard Hinnant's civil-calendar algorithms (public domain descriptions).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trip() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (2026, 11, 21), (2028, 12, 31)] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }

    #[test]
    fn local_time_fields() {
        let c = ManualClock::at_local(2026, 12, 31, 23, 59, 59, CHINA_OFFSET_MINUTES);
        let t = c.local(CHINA_OFFSET_MINUTES);
        assert_eq!(
            (t.mmdd(), t.hhmmss(), t.yymmdd()),
            ("1231".into(), "235959".into(), "261231".into())
        );
        c.advance(Duration::from_secs(1));
        assert_eq!(c.local(CHINA_OFFSET_MINUTES).yyyymmdd(), "20270101");
        // Same instant in UTC is 8 hours earlier.
        assert_eq!(c.local(0).hhmmss(), "160000");
    }
}
