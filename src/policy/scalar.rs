//! Typed condition values shared by policies and request contexts: numbers, dates (ISO 8601 /
//! W3C profile or epoch seconds), booleans, IP networks. Parsing only; never allocates.

use std::net::IpAddr;

use chrono::{NaiveDate, NaiveTime};

/// A point in time as seconds and nanoseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Timestamp {
    seconds: i64,
    nanos: u32,
}

/// An IP network: an address and a prefix length (`/32` or `/128` for a bare address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub(crate) fn contains(self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V4(ip)) => net.to_ipv4_mapped().is_some_and(|mapped| {
                self.prefix >= 96
                    && (IpNet {
                        addr: IpAddr::V4(mapped),
                        prefix: self.prefix - 96,
                    })
                    .contains(IpAddr::V4(ip))
            }),
            (IpAddr::V4(_), IpAddr::V6(ip)) => ip
                .to_ipv4_mapped()
                .is_some_and(|mapped| self.contains(IpAddr::V4(mapped))),
        }
    }
}

/// A decimal number: optional sign, digits, optional fraction (`3600`, `-1.5`, `.5`).
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let well_formed = !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(digits.ends_with('.') && int.is_empty());
    if !well_formed {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `true` / `false`, any letter case.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An address with an optional `/prefix`.
pub(crate) fn parse_ip_net(text: &str) -> Option<IpNet> {
    let (addr, prefix) = match text.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (text, None),
    };
    let addr: IpAddr = addr.trim().parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
            p.parse::<u8>().ok().filter(|p| *p <= max)?
        }
        Some(_) => return None,
        None => max,
    };
    Some(IpNet { addr, prefix })
}

/// A bare IP address (a request's `aws:SourceIp`).
pub(crate) fn parse_ip(text: &str) -> Option<IpAddr> {
    text.trim().parse().ok()
}

/// Epoch seconds (integer or decimal) or a W3C ISO 8601 date/time: `YYYY`, `YYYY-MM`,
/// `YYYY-MM-DD`, then `Thh:mm`, `Thh:mm:ss`, `Thh:mm:ss.s…`, with `Z`, `±hh:mm` or no zone (UTC).
pub(crate) fn parse_date(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Some(seconds) = parse_epoch(text) {
        return Some(seconds);
    }
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let mut fields = date.split('-');
    let year: i32 = fixed_digits(fields.next()?, 4)?;
    let month: u32 = fields.next().map_or(Some(1), |m| fixed_digits(m, 2))?;
    let day: u32 = fields.next().map_or(Some(1), |d| fixed_digits(d, 2))?;
    if fields.next().is_some() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let (time, offset_seconds) = match time {
        None => (NaiveTime::MIN, 0),
        Some(time) => parse_time(time)?,
    };
    let utc = date.and_time(time).and_utc();
    let seconds = utc.timestamp().checked_sub(i64::from(offset_seconds))?;
    Some(Timestamp {
        seconds,
        nanos: utc.timestamp_subsec_nanos(),
    })
}

/// A number of seconds since the epoch given as a JSON number.
pub(crate) fn date_from_epoch(seconds: f64) -> Option<Timestamp> {
    if !seconds.is_finite() || seconds.abs() > 1e15 {
        return None;
    }
    let whole = seconds.floor();
    let nanos = ((seconds - whole) * 1e9).round().min(999_999_999.0);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "both values are range-checked above"
    )]
    Some(Timestamp {
        seconds: whole as i64,
        nanos: nanos as u32,
    })
}

fn parse_epoch(text: &str) -> Option<Timestamp> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit())
        || (int.len() == 4 && frac.is_empty() && text.len() == 4)
    {
        // A bare four-digit number is a year (`2026`), not epoch second 2026.
        return None;
    }
    date_from_epoch(parse_number(text)?)
}

fn fixed_digits<T: std::str::FromStr>(text: &str, len: usize) -> Option<T> {
    if text.len() == len && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// `hh:mm[:ss[.fraction]]` followed by `Z`, `±hh:mm`, `±hhmm` or nothing.
fn parse_time(text: &str) -> Option<(NaiveTime, i32)> {
    let (clock, offset) = if let Some(clock) = text.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else if let Some(at) = text.rfind(['+', '-']) {
        let (clock, zone) = text.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let zone = &zone[1..];
        let (hours, minutes) = match zone.split_once(':') {
            Some((h, m)) => (h, m),
            None if zone.len() == 4 => zone.split_at(2),
            None => (zone, "00"),
        };
        let hours: i32 = fixed_digits(hours, 2)?;
        let minutes: i32 = fixed_digits(minutes, 2)?;
        if hours > 23 || minutes > 59 {
            return None;
        }
        (clock, sign * (hours * 3600 + minutes * 60))
    } else {
        (text, 0)
    };
    let mut fields = clock.split(':');
    let hour: u32 = fixed_digits(fields.next()?, 2)?;
    let minute: u32 = fixed_digits(fields.next()?, 2)?;
    let (second, nanos) = match fields.next() {
        None => (0, 0),
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            let second: u32 = fixed_digits(whole, 2)?;
            if seconds.contains('.')
                && (fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()))
            {
                return None;
            }
            let mut nanos: u32 = 0;
            for (i, digit) in fraction.bytes().take(9).enumerate() {
                nanos += u32::from(digit - b'0') * 10u32.pow(8 - u32::try_from(i).ok()?);
            }
            (second, nanos)
        }
    };
    if fields.next().is_some() {
        return None;
    }
    Some((
        NaiveTime::from_hms_nano_opt(hour, minute, second.min(59), nanos)?,
        offset,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let table = [
            ("3600", Some(3600.0)),
            ("-1.5", Some(-1.5)),
            ("+2", Some(2.0)),
            (".5", Some(0.5)),
            ("5.", Some(5.0)),
            (".", None),
            ("abc", None),
            ("", None),
            ("1e5", None),
            ("NaN", None),
            ("inf", None),
            ("1.2.3", None),
        ];
        for (text, want) in table {
            assert_eq!(parse_number(text), want, "{text}");
        }
    }

    #[test]
    fn dates() {
        let at = |text: &str| parse_date(text).map(|t| (t.seconds, t.nanos));
        assert_eq!(at("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(at("2020-01-01T00:00:00Z"), Some((1_577_836_800, 0)));
        assert_eq!(at("2020-01-01"), Some((1_577_836_800, 0)));
        assert_eq!(at("2020-01"), Some((1_577_836_800, 0)));
        assert_eq!(at("2020"), Some((1_577_836_800, 0)));
        assert_eq!(at("2020-01-01T01:00+01:00"), Some((1_577_836_800, 0)));
        assert_eq!(at("2019-12-31T23:00:00-01:00"), Some((1_577_836_800, 0)));
        assert_eq!(
            at("2020-01-01T00:00:00.25Z"),
            Some((1_577_836_800, 250_000_000))
        );
        assert_eq!(at("1577836800"), Some((1_577_836_800, 0)));
        assert_eq!(at("2020-13-01"), None);
        assert_eq!(at("yesterday"), None);
        assert_eq!(at("2020-01-01T25:00:00Z"), None);
        assert_eq!(at("2020-01-01T00:00:00.Z"), None);
        assert_eq!(at(""), None);
    }

    #[test]
    fn ip_networks() {
        let net = |t: &str| parse_ip_net(t).unwrap();
        let ip = |t: &str| parse_ip(t).unwrap();
        assert!(net("203.0.113.0/24").contains(ip("203.0.113.200")));
        assert!(!net("203.0.113.0/24").contains(ip("203.0.114.1")));
        assert!(net("203.0.113.7").contains(ip("203.0.113.7")));
        assert!(!net("203.0.113.7").contains(ip("203.0.113.8")));
        assert!(net("0.0.0.0/0").contains(ip("8.8.8.8")));
        assert!(net("2001:DB8:1234:5678::/64").contains(ip("2001:db8:1234:5678::1")));
        assert!(!net("2001:DB8:1234:5678::/64").contains(ip("2001:db8:1234:5679::1")));
        assert!(!net("10.0.0.0/8").contains(ip("::1")));
        assert!(parse_ip_net("10.0.0.0/33").is_none());
        assert!(parse_ip_net("10.0.0/8").is_none());
        assert!(parse_ip_net("10.0.0.0/").is_none());
        assert!(parse_ip_net("banana").is_none());
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("FALSE"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }
}
