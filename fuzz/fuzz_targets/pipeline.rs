//! CSV → table → dataset → trainer → optimum → report, one-shot and in
//! slices: see `gradstep::fuzzing`. A broken invariant aborts with its words.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    if let Err(finding) = gradstep::fuzzing::check(input) {
        panic!("{finding}");
    }
});
