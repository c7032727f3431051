//! Dates and times as spreadsheets write them. Only recognised (a date
//! column is never numeric and never a feature), not converted.

/// A cursor over the bytes of one cell.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_any(&mut self, set: &[u8]) -> Option<u8> {
        let c = self.peek()?;
        if set.contains(&c) {
            self.i += 1;
            Some(c)
        } else {
            None
        }
    }

    /// `min..=max` ASCII digits as a number.
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v: u32 = 0;
        while self.i - start < max {
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    v = v * 10 + u32::from(d - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        if self.i - start < min {
            self.i = start;
            return None;
        }
        // No more digits may follow (so "123" is not read as "12").
        if matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i = start;
            return None;
        }
        Some(v)
    }

    fn spaces(&mut self) -> usize {
        let start = self.i;
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
        self.i - start
    }

    /// An English month name or its three-letter abbreviation.
    fn month(&mut self) -> Option<u32> {
        const NAMES: [&str; 12] = [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ];
        let start = self.i;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphabetic()) {
            self.i += 1;
        }
        let word = self.b.get(start..self.i)?;
        let found = NAMES.iter().position(|n| {
            let n = n.as_bytes();
            word.eq_ignore_ascii_case(n)
                || (word.len() == 3 && word.eq_ignore_ascii_case(&n[..3]))
                || (n == b"september" && word.eq_ignore_ascii_case(b"sept"))
        });
        match found {
            Some(m) => {
                self.eat(b'.');
                Some(m as u32 + 1)
            }
            None => {
                self.i = start;
                None
            }
        }
    }
}

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && (1..=31).contains(&d) && (1000..=9999).contains(&y)
}

/// `HH:MM`, `HH:MM:SS`, `HH:MM:SS.fff`, with an optional AM/PM, `Z` or
/// `±HH:MM` zone.
fn time(c: &mut Cur) -> bool {
    let Some(h) = c.digits(1, 2) else {
        return false;
    };
    if !c.eat(b':') {
        return false;
    }
    let Some(mi) = c.digits(2, 2) else {
        return false;
    };
    if h > 23 || mi > 59 {
        return false;
    }
    if c.eat(b':') {
        match c.digits(2, 2) {
            Some(s) if s <= 60 => {}
            _ => return false,
        }
        if c.eat(b'.') || c.eat(b',') {
            let start = c.i;
            while matches!(c.peek(), Some(b'0'..=b'9')) {
                c.i += 1;
            }
            if c.i == start {
                return false;
            }
        }
    }
    let before = c.i;
    c.spaces();
    if let Some(x) = c.eat_any(b"AaPp") {
        let _ = x;
        if !(c.eat(b'M') || c.eat(b'm')) || h > 12 {
            return false;
        }
        return true;
    }
    c.i = before;
    if c.eat(b'Z') {
        return true;
    }
    if c.eat_any(b"+-").is_some() {
        if c.digits(2, 2).is_none() {
            return false;
        }
        c.eat(b':');
        if c.digits(2, 2).is_none() {
            return false;
        }
    }
    true
}

/// An optional time after a date: `T10:30`, ` 10:30:15`.
fn time_tail(c: &mut Cur) -> bool {
    if c.done() {
        return true;
    }
    if !(c.eat(b'T') || c.spaces() > 0) {
        return false;
    }
    time(c) && c.done()
}

/// Whether a trimmed cell is a date, a date and time, or a time of day.
pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 4 || b.len() > 40 {
        return false;
    }
    let starts_digit = b[0].is_ascii_digit();
    if starts_digit {
        // 2024-01-15, 2024/01/15 (+ time)
        let mut c = Cur { b, i: 0 };
        if let Some(y) = c.digits(4, 4) {
            if let Some(sep) = c.eat_any(b"-/.") {
                if let Some(m) = c.digits(1, 2) {
                    if c.eat(sep) {
                        if let Some(d) = c.digits(1, 2) {
                            if valid_date(y, m, d) && time_tail(&mut c) {
                                return true;
                            }
                        }
                    }
                }
            }
        }
        // 15/01/2024, 1/15/2024, 15.01.2024, 15-01-2024 (+ time)
        let mut c = Cur { b, i: 0 };
        if let Some(a) = c.digits(1, 2) {
            if let Some(sep) = c.eat_any(b"/.-") {
                if let Some(m) = c.digits(1, 2) {
                    if c.eat(sep) {
                        if let Some(y) = c.digits(4, 4) {
                            let ok = valid_date(y, m, a) || valid_date(y, a, m);
                            if ok && time_tail(&mut c) {
                                return true;
                            }
                        }
                    }
                }
            }
        }
        // 15-Jan-2024, 15 Jan 2024
        let mut c = Cur { b, i: 0 };
        if let Some(d) = c.digits(1, 2) {
            if c.eat(b'-') || c.spaces() > 0 {
                if let Some(m) = c.month() {
                    if c.eat(b'-') || c.spaces() > 0 {
                        if let Some(y) = c.digits(4, 4) {
                            if valid_date(y, m, d) && time_tail(&mut c) {
                                return true;
                            }
                        }
                    }
                }
            }
        }
        // 10:30, 10:30:15
        let mut c = Cur { b, i: 0 };
        if time(&mut c) && c.done() {
            return true;
        }
        return false;
    }
    // Jan 15, 2024 / January 15 2024
    let mut c = Cur { b, i: 0 };
    if let Some(m) = c.month() {
        if c.spaces() > 0 {
            if let Some(d) = c.digits(1, 2) {
                c.eat(b',');
                if c.spaces() > 0 {
                    if let Some(y) = c.digits(4, 4) {
                        return valid_date(y, m, d) && time_tail(&mut c);
                    }
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::is_date;

    #[test]
    fn recognises_the_usual_forms() {
        for s in [
            "2024-01-15",
            "2024-01-15 10:30",
            "2024-01-15T10:30:00Z",
            "2024-01-15T10:30:00.123+01:00",
            "15/01/2024",
            "1/15/2024",
            "15.01.2024",
            "15-Jan-2024",
            "15 January 2024",
            "Jan 15, 2024",
            "September 3, 2021",
            "2024/01/15",
            "10:30",
            "10:30:15",
            "9:05 PM",
        ] {
            assert!(is_date(s), "{s}");
        }
        for s in [
            "2024",
            "12",
            "1.5",
            "2024-13-01",
            "32/01/2024",
            "red",
            "25:00",
            "10:3",
            "1,234",
            "15.01.24x",
            "Jan",
            "Mayor 3, 2020",
            "1.234.567",
        ] {
            assert!(!is_date(s), "{s}");
        }
    }
}
