//! The same seed and settings give the same run bit for bit, natively and in
//! the browser's wasm (the kernel uses only IEEE +, −, ×, ÷ in a fixed order:
//! see `model::kernel`). The digests below were recorded natively; the same
//! test runs under node with `cargo test --target wasm32-unknown-unknown`.

use gradstep::optim::{OptimizerConfig, OptimizerKind, Schedule};
use gradstep::session::{DataSettings, RateRule, RunSettings, Session};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const STACKLOSS: &[u8] = include_bytes!("data/stackloss.csv");
const SPECTOR: &[u8] = include_bytes!("data/spector.csv");
const DIABETES: &[u8] = include_bytes!("data/diabetes.csv");

/// FNV-1a over the bits of every θ entry and loss of every run.
fn digest(s: &Session) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for run in s.runs() {
        let t = &run.trainer;
        for v in t.theta().iter().chain([&t.loss()]) {
            for b in v.to_bits().to_le_bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    h
}

fn race(data: &[u8], standardize: bool) -> Session {
    let mut s = Session::new(RateRule::Visible);
    s.load_bytes(
        "data.csv",
        data,
        &DataSettings {
            standardize,
            ..DataSettings::default()
        },
    )
    .unwrap();
    let runs = [
        RunSettings::default(),
        RunSettings {
            optimizer: OptimizerConfig::new(OptimizerKind::Momentum),
            ..RunSettings::default()
        },
        RunSettings {
            optimizer: OptimizerConfig::new(OptimizerKind::Adam),
            learning_rate: Some(0.05),
            batch_size: 7,
            seed: 42,
            ..RunSettings::default()
        },
        RunSettings {
            optimizer: OptimizerConfig::new(OptimizerKind::Rmsprop),
            schedule: Schedule::Cosine { period: 60 },
            ..RunSettings::default()
        },
    ];
    s.set_run(0, &runs[0]).unwrap();
    for r in &runs[1..] {
        s.add_run(r).unwrap();
    }
    s.step(100).unwrap();
    s
}

#[test]
fn runs_repeat_bit_for_bit_on_every_platform() {
    let got = [
        digest(&race(STACKLOSS, true)),
        digest(&race(SPECTOR, true)),
        digest(&race(DIABETES, false)),
    ];
    // Recorded natively (x86_64, AVX2); must hold in wasm too.
    let want = [
        6116638330868666687u64,
        630108076254002906,
        7950172411911686095,
    ];
    if std::env::var("GRADSTEP_PRINT_DIGESTS").is_ok() {
        println!("digests: {got:?}");
    }
    assert_eq!(
        got, want,
        "run digests (GRADSTEP_PRINT_DIGESTS=1 prints them)"
    );
}

#[test]
fn the_same_run_twice_gives_the_same_bits() {
    assert_eq!(digest(&race(SPECTOR, true)), digest(&race(SPECTOR, true)));
}
