//! The documented limits on input, so that no file can exhaust memory or
//! time. Each is refused with a message that states the limit and the value
//! found (see README, "Limits").

/// Limits on what a CSV may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes in one file.
    pub max_bytes: u64,
    /// Columns (fields in the header or the first record).
    pub max_columns: usize,
    /// Bytes in one cell (after unquoting).
    pub max_cell_bytes: usize,
    /// Cells in the whole table (rows × columns).
    pub max_cells: u64,
    /// Distinct values a text column keeps; a text column with more is
    /// kept as counts and examples only (it cannot be a target or feature).
    pub max_text_levels: usize,
}

impl Limits {
    /// The limits the CLI and the page use.
    pub const DEFAULT: Limits = Limits {
        max_bytes: 1 << 30,
        max_columns: 1000,
        max_cell_bytes: 1 << 16,
        max_cells: 60_000_000,
        max_text_levels: 1 << 16,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Steps whose loss is kept when a caller asks for the full history
/// (`fit --history`); the bounded history used otherwise thins itself.
pub const MAX_FULL_HISTORY: u64 = 10_000_000;

/// Characters of a cell quoted in a message; longer cells end in "…".
pub const QUOTE_CHARS: usize = 40;

/// `text` cut to at most [`QUOTE_CHARS`] characters, with "…" when cut, on
/// one line (a line break or another control character becomes a space).
pub fn quote(text: &str) -> String {
    let mut chars = text.chars().map(|c| if c.is_control() { ' ' } else { c });
    let head: String = chars.by_ref().take(QUOTE_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Characters a list of names in a message may take.
pub const LIST_CHARS: usize = 200;

/// `items` joined with ", " up to about [`LIST_CHARS`] characters, then
/// "… (N more)": a message naming columns stays one bounded line.
pub fn listed(items: impl ExactSizeIterator<Item = String>) -> String {
    let total = items.len();
    let mut out = String::new();
    let mut shown = 0;
    for item in items {
        if shown > 0 && out.chars().count() + item.chars().count() > LIST_CHARS {
            break;
        }
        if shown > 0 {
            out.push_str(", ");
        }
        out.push_str(&item);
        shown += 1;
    }
    if total > shown {
        out.push_str(&format!(", … ({} more)", total - shown));
    }
    out
}

/// Characters a whole message may have.
pub const MESSAGE_CHARS: usize = 400;

/// `text` on one line and cut to [`MESSAGE_CHARS`] characters (with "…").
pub fn quote_long(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let mut chars = one_line.chars();
    let head: String = chars.by_ref().take(MESSAGE_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_bounded() {
        assert_eq!(quote("short"), "short");
        let long = "x".repeat(100);
        let q = quote(&long);
        assert_eq!(q.chars().count(), QUOTE_CHARS + 1);
        assert!(q.ends_with('…'));
        assert_eq!(quote(&"é".repeat(40)), "é".repeat(40));
    }
}
