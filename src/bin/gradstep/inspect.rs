//! `gradstep inspect`: how the CSV was read, and what `fit` would pick.

use crate::args::InspectArgs;
use gradstep::data::csv::select::{default_choice, ExcludedReason};
use gradstep::data::TableReader;
use serde_json::json;

/// Reads the file and prints its shape, its columns and the defaults.
pub fn run(args: &InspectArgs) -> Result<(), String> {
    use std::io::Read;
    let name = args.file.display().to_string();
    let mut file = std::fs::File::open(&args.file)
        .map_err(|e| format!("{name}: cannot read the file: {e}"))?;
    let mut reader = TableReader::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let k = file
            .read(&mut buf)
            .map_err(|e| format!("{name}: cannot read the file: {e}"))?;
        if k == 0 {
            break;
        }
        reader.push(&buf[..k]).map_err(|e| format!("{name}: {e}"))?;
    }
    let table = reader.finish().map_err(|e| format!("{name}: {e}"))?;
    let choice = default_choice(&table);
    let delimiter = match table.delimiter() {
        b'\t' => "tab".to_string(),
        d => char::from(d).to_string(),
    };
    let reason_of = |j: usize| {
        choice.as_ref().ok().and_then(|c| {
            c.excluded
                .iter()
                .find(|e| e.column == j && e.reason != ExcludedReason::Target)
                .map(|e| e.message.clone())
        })
    };
    if args.json {
        let columns: Vec<_> = table
            .columns()
            .iter()
            .enumerate()
            .map(|(j, c)| {
                json!({
                    "name": c.name,
                    "kind": c.kind,
                    "format": c.describe(),
                    "missing": c.missing,
                    "reason": c.text_reason,
                    "excluded": reason_of(j),
                })
            })
            .collect();
        let defaults = match &choice {
            Ok(c) => json!({
                "target": table.column(c.target).name,
                "model": if c.two_valued { "logistic" } else { "linear" },
                "features": c.features.iter().map(|&j| table.column(j).name.clone()).collect::<Vec<_>>(),
            }),
            Err(e) => json!({ "error": e.to_string() }),
        };
        let out = json!({
            "file": name,
            "rows": table.rows(),
            "delimiter": delimiter,
            "has_header": table.has_header(),
            "encoding": table.encoding(),
            "notes": table.notes(),
            "columns": columns,
            "defaults": defaults,
        });
        out!("{out}");
        return Ok(());
    }
    out!(
        "{name}: {} × {}, delimiter {}, header {}, encoding {}",
        count(table.rows(), "row"),
        count(table.columns().len(), "column"),
        if delimiter == "tab" {
            delimiter.clone()
        } else {
            format!("'{delimiter}'")
        },
        if table.has_header() {
            "yes"
        } else {
            "no (columns named col1..colN)"
        },
        table.encoding().describe()
    );
    for note in table.notes() {
        out!("note: {note}");
    }
    let width = table
        .columns()
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, 32);
    // The kind goes last: it is as long as its format notes.
    out!("{:>4}  {:<width$}  {:>8}  kind", "#", "column", "missing");
    for (j, c) in table.columns().iter().enumerate() {
        out!(
            "{:>4}  {:<width$}  {:>8}  {}",
            j + 1,
            c.name,
            c.missing,
            c.describe()
        );
        if let Some(r) = &c.text_reason {
            out!("{:>4}  {:<width$}  {:>8}  ({r})", "", "", "");
        }
    }
    match &choice {
        Ok(c) => {
            out!(
                "default target: '{}' ({} regression)",
                table.column(c.target).name,
                if c.two_valued { "logistic" } else { "linear" }
            );
            let f: Vec<String> = c
                .features
                .iter()
                .map(|&j| table.column(j).name.clone())
                .collect();
            out!("default features: {}", f.join(", "));
            for e in &c.excluded {
                if e.reason != ExcludedReason::Target {
                    out!("left out: {}", e.message);
                }
            }
        }
        Err(e) => out!("no default model: {e}"),
    }
    Ok(())
}

/// "1 row", "20 rows".
fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
