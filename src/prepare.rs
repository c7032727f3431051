//! From a parsed [`Table`] to a [`Trainer`] a slice of rows at a time, so
//! that the browser stays responsive while a million-row file is prepared.
//!
//! [`TrainerBuilder`] does what `Trainer::new(Dataset::from_table(..)?, ..)`
//! does, in stages that each visit the rows in order and can stop anywhere:
//!
//! 1. gather the target and features into the row-major matrix (dropping
//!    rows with problem cells, spotting constant columns, mapping classes):
//!    [`Dataset::from_table`] is this stage run to its end;
//! 2. fit the scaler (sums for the means, then for the variances), when
//!    standardizing;
//! 3. build the training matrix (standardized copy, or a plain copy);
//! 4. evaluate the loss and gradient at the starting point;
//! 5. accumulate the Gram matrix behind the curvature (L).
//!
//! Everything but stage 4 adds up in the same order as the one-shot path and
//! is bit-for-bit identical to it; the start loss and gradient are sums over
//! slices and agree to rounding (about 1e-15 relative).

use crate::data::dataset::DatasetBuilder;
use crate::data::{Dataset, DatasetSpec, Matrix, Scaler, Table};
use crate::model::problem::dot;
use crate::model::{Objective, Problem};
use crate::optim::{IterState, Status};
use crate::optimum::GramAccumulator;
use crate::trainer::{check_config, initial_parameters, Trainer, TrainerConfig};
use crate::{GradstepError, Result};

/// Work units one row costs in each stage after gathering, relative to
/// gathering a row, so that a call's `max_rows` buys about the same time in
/// every stage (measured at d = 10).
#[derive(Debug, Clone, Copy)]
struct Costs {
    mean: usize,
    variance: usize,
    transform: usize,
    evaluate: usize,
    gram: usize,
}

impl Costs {
    /// Units per row for `d` features; a gathered row costs `UNIT`.
    fn for_dim(d: usize) -> Self {
        // Measured at d = 10 (natively and in wasm), relative to gathering a
        // row (d + 1 scattered reads and a row-major write): the sums for the
        // scaler about a quarter, the copy into fresh memory about two (the
        // memory grows; slowest in the browser), the start loss and gradient
        // about one; the Gram pass does (d + 1)(d + 2)/2 multiply-adds per
        // row, about (d + 2)/10 of a gathered row.
        let p = d + 1;
        let per = |num: usize, den: usize| (UNIT * num).div_ceil(den).max(1);
        Self {
            mean: per(1, 4),
            variance: per(1, 4),
            transform: per(2, 1),
            evaluate: per(1, 1),
            gram: per(p * (p + 1) / 2, 5 * p),
        }
    }
}

/// Work units of gathering one row.
const UNIT: usize = 8;

/// Builds a [`Trainer`] from a [`Table`] a slice at a time.
///
/// [`new`](Self::new) only resolves the columns and checks the choice;
/// call [`step`](Self::step) (say once per animation frame) until
/// [`is_done`](Self::is_done), then [`finish`](Self::finish). The trainer is
/// the one `Trainer::new(Dataset::from_table(table, spec)?, config)` gives
/// (its curvature already computed), and so are the errors. Pass the same
/// table to every call.
///
/// ```
/// use gradstep::data::{DatasetSpec, Table};
/// use gradstep::prepare::TrainerBuilder;
/// use gradstep::trainer::TrainerConfig;
///
/// let table = Table::parse("x,y\n1,2\n2,4.1\n3,5.9\n4,8.2\n")?;
/// let mut builder = TrainerBuilder::new(&table, &DatasetSpec::default(), TrainerConfig::default())?;
/// while !builder.is_done() {
///     let fraction = builder.step(&table, 2)?;
///     assert!((0.0..=1.0).contains(&fraction));
/// }
/// let trainer = builder.finish()?;
/// assert_eq!(trainer.dataset().target.len(), 4);
/// # Ok::<(), gradstep::GradstepError>(())
/// ```
#[derive(Debug)]
pub struct TrainerBuilder {
    config: TrainerConfig,
    stage: Stage,
    /// Set once the dataset is gathered.
    dataset: Option<Dataset>,
    costs: Costs,
    /// Next row of the current stage.
    cursor: usize,
    /// Table rows gathered (known once gathering is over).
    gathered: usize,
    /// Work units done in the stages after gathering.
    work: usize,
    /// Column sums, then means.
    mean: Vec<f64>,
    /// Sums of squared deviations.
    var: Vec<f64>,
    scaler: Option<Scaler>,
    /// The training matrix, row-major.
    x: Vec<f64>,
    /// Starting weights and bias.
    start: (Vec<f64>, f64),
    /// Σ ℓ, Σ ∂ℓ/∂z·x and Σ ∂ℓ/∂z at the start.
    loss_sum: f64,
    grad_sum: Vec<f64>,
    bias_grad_sum: f64,
    gram: GramAccumulator,
}

#[derive(Debug)]
enum Stage {
    Gather(Box<DatasetBuilder>),
    Mean,
    Variance,
    Transform,
    Evaluate,
    Gram,
    Done,
    Failed(GradstepError),
}

impl TrainerBuilder {
    /// Resolves target and features and checks the choice against the
    /// column types (no row is looked at): fails like
    /// [`Dataset::from_table`] on unknown columns, the target among the
    /// features, text features, a text target for linear regression.
    pub fn new(table: &Table, spec: &DatasetSpec, config: TrainerConfig) -> Result<Self> {
        let builder = DatasetBuilder::new(table, spec)?;
        Ok(Self {
            config,
            stage: Stage::Gather(Box::new(builder)),
            dataset: None,
            costs: Costs::for_dim(0),
            cursor: 0,
            gathered: 0,
            work: 0,
            mean: Vec::new(),
            var: Vec::new(),
            scaler: None,
            x: Vec::new(),
            start: (Vec::new(), 0.0),
            loss_sum: 0.0,
            grad_sum: Vec::new(),
            bias_grad_sum: 0.0,
            gram: GramAccumulator::new(0),
        })
    }

    /// Does about `max_rows` rows' worth of work and returns the fraction
    /// done, in [0, 1] (1 exactly when done). Fails on the row data (problem
    /// cells, constant columns, not two classes) and then on the training
    /// settings, with the errors and in the order of
    /// `Trainer::new(Dataset::from_table(..)?, config)`; after an error every
    /// call fails with it.
    pub fn step(&mut self, table: &Table, max_rows: usize) -> Result<f64> {
        if let Stage::Failed(e) = &self.stage {
            return Err(e.clone());
        }
        let budget = max_rows.max(1).saturating_mul(UNIT);
        if let Err(e) = self.advance(table, budget) {
            self.stage = Stage::Failed(e.clone());
            return Err(e);
        }
        Ok(self.fraction())
    }

    /// Whether the trainer is ready for [`finish`](Self::finish).
    pub fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done)
    }

    /// The fraction of the work done, in [0, 1] (1 exactly when done).
    pub fn fraction(&self) -> f64 {
        let (done, total) = match &self.stage {
            Stage::Done => return 1.0,
            Stage::Gather(builder) => {
                let (done, total) = builder.progress();
                let rest = builder.kept_rows() * self.costs_per_row(builder.dim());
                (done * UNIT, total * UNIT + rest)
            }
            _ => {
                let n = self.rows();
                let d = self.start.0.len();
                let gathered = self.gathered_units();
                (gathered + self.work, gathered + n * self.costs_per_row(d))
            }
        };
        if total == 0 {
            0.0
        } else {
            (done as f64 / total as f64).min(1.0 - f64::EPSILON)
        }
    }

    /// The trainer, once [done](Self::is_done) (fails before, or with the
    /// error a step gave). Cheap: the work was done by the steps.
    pub fn finish(self) -> Result<Trainer> {
        match self.stage {
            Stage::Done => {}
            Stage::Failed(e) => return Err(e),
            _ => {
                return Err(GradstepError::InvalidSetting {
                    name: "trainer".into(),
                    value: format!("{:.0}% prepared", 100.0 * self.fraction()),
                    reason: "it is not ready yet: call step until is_done".into(),
                })
            }
        }
        let dataset = self.dataset.expect("a finished builder has its dataset");
        let (n, d) = (dataset.target.len(), self.start.0.len());
        let model = dataset.model;
        let l2 = self.config.l2;
        let scaler = self.scaler.unwrap_or_else(|| Scaler::identity(d));
        let x = Matrix::from_row_major(n, d, self.x).expect("x has rows × features entries");

        // The start state, as IterState::start evaluates it.
        let nf = n.max(1) as f64;
        let (weights, bias) = self.start;
        let penalty = if l2 == 0.0 {
            0.0
        } else {
            0.5 * l2 * dot(&weights, &weights)
        };
        let gradient_weights: Vec<f64> = self
            .grad_sum
            .iter()
            .zip(&weights)
            .map(|(g, w)| g / nf + l2 * w)
            .collect();
        let gradient_bias = self.bias_grad_sum / nf;
        let sq: f64 =
            gradient_weights.iter().map(|g| g * g).sum::<f64>() + gradient_bias * gradient_bias;
        let state = IterState {
            step: 0,
            loss: self.loss_sum / nf + penalty,
            weights,
            bias,
            gradient_weights,
            gradient_bias,
            gradient_norm: sq.sqrt(),
            learning_rate: self.config.learning_rate,
            status: Status::Running,
            message: None,
        };
        let curvature = self.gram.finish(model, l2);
        Trainer::from_parts(
            dataset,
            scaler,
            x,
            self.config,
            Some(state),
            Some(curvature),
        )
    }

    fn rows(&self) -> usize {
        self.dataset.as_ref().map_or(0, |d| d.target.len())
    }

    /// Work units of the stages after gathering, per row.
    fn costs_per_row(&self, d: usize) -> usize {
        let c = Costs::for_dim(d);
        let fit = if self.config.standardize {
            c.mean + c.variance
        } else {
            0
        };
        fit + c.transform + c.evaluate + c.gram
    }

    /// Work units the gathering took (known once it is over).
    fn gathered_units(&self) -> usize {
        self.gathered * UNIT
    }

    fn advance(&mut self, table: &Table, mut budget: usize) -> Result<()> {
        loop {
            let n = self.rows();
            let d = self.start.0.len();
            match &mut self.stage {
                Stage::Gather(builder) => {
                    let rows = builder.step(table, budget.div_ceil(UNIT))?;
                    budget = budget.saturating_sub(rows * UNIT);
                    if !builder.is_done() {
                        return Ok(());
                    }
                    let (gathered, _) = builder.progress();
                    let Stage::Gather(builder) = std::mem::replace(&mut self.stage, Stage::Mean)
                    else {
                        unreachable!()
                    };
                    let dataset = builder.finish()?;
                    self.begin(dataset, gathered)?;
                }
                Stage::Done | Stage::Failed(_) => return Ok(()),
                _ if budget == 0 => return Ok(()),
                Stage::Mean => {
                    let (from, to) = self.slice(&mut budget, self.costs.mean);
                    let data = self.dataset.as_ref().expect("gathered").features.as_slice();
                    for row in data[from * d..to * d].chunks_exact(d) {
                        for (m, v) in self.mean.iter_mut().zip(row) {
                            *m += v;
                        }
                    }
                    if self.next_if_done(to, n, Stage::Variance) {
                        self.mean.iter_mut().for_each(|m| *m /= n as f64);
                    }
                }
                Stage::Variance => {
                    let (from, to) = self.slice(&mut budget, self.costs.variance);
                    let data = self.dataset.as_ref().expect("gathered").features.as_slice();
                    // Two-pass variance, as Scaler::fit.
                    for row in data[from * d..to * d].chunks_exact(d) {
                        for ((s, v), m) in self.var.iter_mut().zip(row).zip(&self.mean) {
                            *s += (v - m) * (v - m);
                        }
                    }
                    if self.next_if_done(to, n, Stage::Transform) {
                        let std = self
                            .var
                            .iter()
                            .map(|s| (s / n as f64).sqrt())
                            .map(|s| if s > 0.0 && s.is_finite() { s } else { 1.0 })
                            .collect();
                        self.scaler =
                            Some(Scaler::from_mean_std(std::mem::take(&mut self.mean), std));
                    }
                }
                Stage::Transform => {
                    let (from, to) = self.slice(&mut budget, self.costs.transform);
                    let dataset = self.dataset.as_ref().expect("gathered");
                    let rows = &dataset.features.as_slice()[from * d..to * d];
                    match &self.scaler {
                        Some(scaler) => {
                            for row in rows.chunks_exact(d) {
                                let at = self.x.len();
                                self.x.extend_from_slice(row);
                                scaler.transform_row_in_place(&mut self.x[at..]);
                            }
                        }
                        None => self.x.extend_from_slice(rows),
                    }
                    self.next_if_done(to, n, Stage::Evaluate);
                }
                Stage::Evaluate => {
                    let (from, to) = self.slice(&mut budget, self.costs.evaluate);
                    let dataset = self.dataset.as_ref().expect("gathered");
                    let m = to - from;
                    let part = Matrix::from_row_major(m, d, self.x[from * d..to * d].to_vec())
                        .expect("a slice of whole rows");
                    // Means over the slice (no penalty), turned back into sums.
                    let problem = Problem::new(dataset.model, &part, &dataset.target[from..to]);
                    let mut g = vec![0.0; d];
                    let (loss, gb) = problem.loss_and_gradient(&self.start.0, self.start.1, &mut g);
                    let mf = m.max(1) as f64;
                    self.loss_sum += loss * mf;
                    self.bias_grad_sum += gb * mf;
                    for (s, g) in self.grad_sum.iter_mut().zip(&g) {
                        *s += g * mf;
                    }
                    self.next_if_done(to, n, Stage::Gram);
                }
                Stage::Gram => {
                    let (from, to) = self.slice(&mut budget, self.costs.gram);
                    self.gram.add_rows(self.x[from * d..to * d].chunks_exact(d));
                    self.next_if_done(to, n, Stage::Done);
                }
            }
        }
    }

    /// Starts the stages after gathering, checking the settings first (as
    /// `Trainer::new` does once the dataset is built).
    fn begin(&mut self, dataset: Dataset, gathered: usize) -> Result<()> {
        check_config(&self.config)?;
        let d = dataset.features.cols();
        let n = dataset.target.len();
        self.costs = Costs::for_dim(d);
        self.gathered = gathered;
        self.start = initial_parameters(self.config.init, d);
        self.mean = vec![0.0; d];
        self.var = vec![0.0; d];
        self.grad_sum = vec![0.0; d];
        self.gram = GramAccumulator::new(d);
        self.x = Vec::with_capacity(n * d);
        self.cursor = 0;
        self.stage = if self.config.standardize {
            Stage::Mean
        } else {
            Stage::Transform
        };
        self.dataset = Some(dataset);
        Ok(())
    }

    /// The rows of the current stage that `budget` pays for at `cost` units
    /// per row (at least one), charged to the budget.
    fn slice(&mut self, budget: &mut usize, cost: usize) -> (usize, usize) {
        let n = self.rows();
        let rows = (*budget / cost).max(1);
        let (from, to) = (self.cursor, self.cursor.saturating_add(rows).min(n));
        let units = (to - from) * cost;
        *budget = budget.saturating_sub(units);
        self.work += units;
        self.cursor = to;
        (from, to)
    }

    /// Moves on to `next` when the stage has reached row `n`.
    fn next_if_done(&mut self, to: usize, n: usize, next: Stage) -> bool {
        let done = to >= n;
        if done {
            self.stage = next;
            self.cursor = 0;
        }
        done
    }
}
