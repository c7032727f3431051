//! `gradstep inspect`: how the CSV was read.

use crate::args::{read, InspectArgs};
use gradstep::data::Table;
use serde_json::json;

/// Parses the file and prints its shape and columns.
pub fn run(args: &InspectArgs) -> Result<(), String> {
    let name = args.file.display().to_string();
    let text = read(&args.file)?;
    let table = Table::parse(&text).map_err(|e| format!("{name}: {e}"))?;
    let delimiter = (table.delimiter() as char).to_string();
    let target = table.columns().len().saturating_sub(1);
    let suggested = table.suggest_model(target);
    if args.json {
        let columns: Vec<_> = table
            .columns()
            .iter()
            .map(|c| json!({ "name": c.name, "kind": c.kind, "missing": c.missing }))
            .collect();
        let out = json!({
            "file": name,
            "rows": table.rows(),
            "delimiter": delimiter,
            "has_header": table.has_header(),
            "columns": columns,
            "default_target": table.columns().get(target).map(|c| c.name.clone()),
            "suggested_model": suggested,
        });
        println!("{out}");
        return Ok(());
    }
    let shown = if delimiter == "\t" {
        "tab".to_string()
    } else {
        format!("'{delimiter}'")
    };
    println!(
        "{name}: {} rows × {} columns, delimiter {shown}, header {}",
        table.rows(),
        table.columns().len(),
        if table.has_header() {
            "yes"
        } else {
            "no (columns named col1..colN)"
        }
    );
    println!(
        "{:>4}  {:<24} {:<8} {:>8}",
        "#", "column", "kind", "missing"
    );
    for (i, c) in table.columns().iter().enumerate() {
        let kind = format!("{:?}", c.kind).to_lowercase();
        println!("{:>4}  {:<24} {:<8} {:>8}", i + 1, c.name, kind, c.missing);
    }
    if let Some(c) = table.columns().get(target) {
        println!("default target: '{}' ({suggested} regression)", c.name);
    }
    Ok(())
}
