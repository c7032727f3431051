//! Learning-rate schedules: α at update k (k = 0 for the first update).

use crate::det::{cos_0_to_pi, pow_u64};
use crate::{GradstepError, Result};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// How the learning rate changes over updates; k counts updates from 0, so
/// the first update always uses the base rate α.
///
/// Rates are computed from k alone with deterministic math (`det`), so the
/// same (α, k) gives the same bits on every platform and in any order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "lowercase", try_from = "ScheduleFields")]
pub enum Schedule {
    /// α at every update.
    #[default]
    Constant,
    /// α·F^⌊k/E⌋: multiplied by F every E updates.
    Step {
        /// E ≥ 1, updates between two drops.
        every: u64,
        /// F ∈ (0, 1], the factor of each drop.
        factor: f64,
    },
    /// α·γᵏ.
    Exp {
        /// γ ∈ (0, 1].
        gamma: f64,
    },
    /// α/(1 + D·k).
    Inverse {
        /// D ≥ 0.
        decay: f64,
    },
    /// α·(1 + cos(π·min(k, T)/T))/2: from α down to 0 at k = T, then 0.
    Cosine {
        /// T ≥ 1, the update at which the rate reaches 0.
        period: u64,
    },
}

/// A schedule as an object, `{kind, every, factor, gamma, decay, period}`:
/// read flat and checked by hand, which is far smaller in the wasm bundle
/// than serde's internally tagged enums, and names a misplaced key.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleFields {
    kind: String,
    every: Option<u64>,
    factor: Option<f64>,
    gamma: Option<f64>,
    decay: Option<f64>,
    period: Option<u64>,
}

impl TryFrom<ScheduleFields> for Schedule {
    type Error = String;

    fn try_from(f: ScheduleFields) -> std::result::Result<Self, String> {
        let given = [
            ("every", f.every.is_some()),
            ("factor", f.factor.is_some()),
            ("gamma", f.gamma.is_some()),
            ("decay", f.decay.is_some()),
            ("period", f.period.is_some()),
        ];
        let (schedule, keys): (Schedule, &[&str]) = match f.kind.as_str() {
            "constant" => (Schedule::Constant, &[]),
            "step" => (
                Schedule::Step {
                    every: f.every.ok_or("the step schedule needs `every`")?,
                    factor: f.factor.ok_or("the step schedule needs `factor`")?,
                },
                &["every", "factor"],
            ),
            "exp" => (
                Schedule::Exp {
                    gamma: f.gamma.ok_or("the exp schedule needs `gamma`")?,
                },
                &["gamma"],
            ),
            "inverse" => (
                Schedule::Inverse {
                    decay: f.decay.ok_or("the inverse schedule needs `decay`")?,
                },
                &["decay"],
            ),
            "cosine" => (
                Schedule::Cosine {
                    period: f.period.ok_or("the cosine schedule needs `period`")?,
                },
                &["period"],
            ),
            other => {
                return Err(format!(
                "unknown schedule `{}`; the schedules are constant, step, exp, inverse and cosine",
                crate::limits::quote(other)
            ))
            }
        };
        match given.iter().find(|(k, set)| *set && !keys.contains(k)) {
            Some((k, _)) => Err(format!("`{k}` is not a setting of the {} schedule", f.kind)),
            None => Ok(schedule),
        }
    }
}

/// The CLI spellings, for error messages.
const FORMS: &str = "constant, step:E:F, exp:GAMMA, inverse:D or cosine:T";

impl Schedule {
    /// The rate of update k for base rate α (`base`):
    /// constant α; step α·F^⌊k/E⌋; exp α·γᵏ; inverse α/(1 + D·k);
    /// cosine α·(1 + cos(π·min(k, T)/T))/2.
    ///
    /// Powers use `pow_u64` and the cosine `cos_0_to_pi`, so the result is
    /// bit-identical across platforms. An invalid schedule (see `validate`)
    /// gives a meaningless rate but never panics.
    pub fn rate(&self, base: f64, k: u64) -> f64 {
        match *self {
            Self::Constant => base,
            Self::Step { every, factor } => {
                base * pow_u64(factor, k.checked_div(every).unwrap_or(0))
            }
            Self::Exp { gamma } => base * pow_u64(gamma, k),
            Self::Inverse { decay } => base / (1.0 + decay * k as f64),
            Self::Cosine { period } => {
                let period = period.max(1);
                // min(k, T)/T is exactly 1 at and after T, so the angle is
                // exactly π there and the rate exactly 0.
                let fraction = k.min(period) as f64 / period as f64;
                base * (0.5 * (1.0 + cos_0_to_pi(PI * fraction)))
            }
        }
    }

    /// Parses the CLI form: `constant`, `step:E:F`, `exp:GAMMA`,
    /// `inverse:D`, `cosine:T` (the name case-insensitive), then validates it.
    pub fn parse(s: &str) -> Result<Schedule> {
        let text = s.trim();
        let mut parts = text.split(':');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let args: Vec<&str> = parts.map(str::trim).collect();
        let bad_form = |reason: String| GradstepError::InvalidSetting {
            name: "schedule".into(),
            value: s.to_string(),
            reason,
        };
        let want = |count: usize, form: &str| {
            if args.len() == count {
                Ok(())
            } else {
                Err(bad_form(format!(
                    "'{name}' takes {count} value(s), written {form}"
                )))
            }
        };
        let schedule = match name.as_str() {
            "constant" => {
                want(0, "constant")?;
                Self::Constant
            }
            "step" => {
                want(2, "step:E:F (e.g. step:100:0.5)")?;
                Self::Step {
                    every: parse_count("step every (E)", args[0])?,
                    factor: parse_number("step factor (F)", args[1])?,
                }
            }
            "exp" => {
                want(1, "exp:GAMMA (e.g. exp:0.99)")?;
                Self::Exp {
                    gamma: parse_number("exp gamma (γ)", args[0])?,
                }
            }
            "inverse" => {
                want(1, "inverse:D (e.g. inverse:0.01)")?;
                Self::Inverse {
                    decay: parse_number("inverse decay (D)", args[0])?,
                }
            }
            "cosine" => {
                want(1, "cosine:T (e.g. cosine:1000)")?;
                Self::Cosine {
                    period: parse_count("cosine period (T)", args[0])?,
                }
            }
            _ => return Err(bad_form(format!("unknown schedule; expected {FORMS}"))),
        };
        schedule.validate()?;
        Ok(schedule)
    }

    /// Checks ranges: E ≥ 1, T ≥ 1, F and γ in (0, 1], D ≥ 0, all finite.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Self::Constant => Ok(()),
            Self::Step { every, factor } => {
                check_count("step every (E)", every)?;
                check_unit_interval("step factor (F)", factor)
            }
            Self::Exp { gamma } => check_unit_interval("exp gamma (γ)", gamma),
            Self::Inverse { decay } => {
                if decay.is_finite() && decay >= 0.0 {
                    Ok(())
                } else {
                    Err(invalid(
                        "inverse decay (D)",
                        decay,
                        "must be a finite number ≥ 0",
                    ))
                }
            }
            Self::Cosine { period } => check_count("cosine period (T)", period),
        }
    }

    /// The schedule as a formula in α and k, for display, e.g.
    /// "α·0.5^⌊k/100⌋", "α·0.95ᵏ", "α/(1 + 0.1·k)",
    /// "α·(1 + cos(π·min(k, 30)/30))/2", or "α".
    pub fn formula(&self) -> String {
        match *self {
            Self::Constant => "α".to_string(),
            Self::Step { every, factor } => format!("α·{factor}^⌊k/{every}⌋"),
            Self::Exp { gamma } => format!("α·{gamma}ᵏ"),
            Self::Inverse { decay } => format!("α/(1 + {decay}·k)"),
            Self::Cosine { period } => format!("α·(1 + cos(π·min(k, {period})/{period}))/2"),
        }
    }

    /// (k, rate) points for a small curve of α over updates 0..=`k_max`: at
    /// most `points` of them, evenly spaced in k, always with k = 0 and
    /// k = `k_max` when there are two or more (every k when they fit).
    pub fn curve(&self, base: f64, k_max: u64, points: usize) -> Vec<(u64, f64)> {
        if points == 0 {
            return Vec::new();
        }
        if points == 1 {
            return vec![(0, self.rate(base, 0))];
        }
        let count = (points as u128).min(k_max as u128 + 1);
        let gaps = count - 1;
        (0..count)
            .map(|i| {
                // Integer spacing: strictly increasing since k_max ≥ gaps.
                let k = (i * k_max as u128).checked_div(gaps).unwrap_or(0) as u64;
                (k, self.rate(base, k))
            })
            .collect()
    }
}

/// An `InvalidSetting` naming the setting, the value and the range.
fn invalid(name: &str, value: impl std::fmt::Display, reason: &str) -> GradstepError {
    GradstepError::InvalidSetting {
        name: name.to_string(),
        value: crate::format::echoed(value),
        reason: reason.to_string(),
    }
}

/// E and T: whole numbers ≥ 1.
fn check_count(name: &str, value: u64) -> Result<()> {
    if value >= 1 {
        Ok(())
    } else {
        Err(invalid(name, value, "must be a whole number ≥ 1"))
    }
}

/// F and γ: in (0, 1], so the rate never grows.
fn check_unit_interval(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 && value <= 1.0 {
        Ok(())
    } else {
        Err(invalid(name, value, "must be in (0, 1]"))
    }
}

/// A CLI count; a negative or fractional one is refused here.
fn parse_count(name: &str, text: &str) -> Result<u64> {
    text.parse::<u64>()
        .map_err(|_| invalid(name, text, "must be a whole number ≥ 1"))
}

/// A CLI number; the range is checked by `validate`.
fn parse_number(name: &str, text: &str) -> Result<f64> {
    text.parse::<f64>()
        .map_err(|_| invalid(name, text, "must be a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_the_cli_forms() {
        assert_eq!(Schedule::parse("constant").unwrap(), Schedule::Constant);
        assert_eq!(
            Schedule::parse("Step:10:0.5").unwrap(),
            Schedule::Step {
                every: 10,
                factor: 0.5
            }
        );
        assert_eq!(
            Schedule::parse("cosine:30").unwrap(),
            Schedule::Cosine { period: 30 }
        );
        assert!(Schedule::parse("cosine:0").is_err());
        assert!(Schedule::parse("warmup:3").is_err());
    }

    #[test]
    fn curve_has_endpoints_and_at_most_points() {
        let s = Schedule::Exp { gamma: 0.9 };
        let c = s.curve(1.0, 1000, 50);
        assert_eq!(c.len(), 50);
        assert_eq!(c[0].0, 0);
        assert_eq!(c[49].0, 1000);
        assert!(c.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(s.curve(1.0, 3, 50).len(), 4);
        assert!(s.curve(1.0, 3, 0).is_empty());
    }
}
