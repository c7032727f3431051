//! Replays the fuzz corpus (`tests/data/fuzz/`): the reproducers,
//! seeds for every reader path, and every input the fuzzer (`scripts/fuzz.sh`)
//! has found to break an invariant, minimized. Each must pass the oracle
//! of `gradstep::fuzzing::check`.

use std::path::Path;

#[test]
fn every_saved_input_passes_the_oracle() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    names.sort();
    assert!(names.len() >= 30, "the corpus has {} inputs", names.len());
    let mut failures = Vec::new();
    for path in &names {
        let input = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        match std::panic::catch_unwind(|| gradstep::fuzzing::check(&input)) {
            Ok(Ok(())) => {}
            Ok(Err(finding)) => failures.push(format!("{name}: {finding}")),
            Err(_) => failures.push(format!("{name}: panicked")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
