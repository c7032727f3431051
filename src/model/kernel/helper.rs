//! One persistent helper thread, started on first use, that runs the second
//! half of a split pass. The task is a pointer to a closure on the caller's
//! stack, which the caller outlives: it waits for the helper to finish
//! before returning or unwinding. Handing over takes an uncontended mutex;
//! both sides spin briefly before sleeping on a condition variable (futex
//! based, allocation-free), since waking a sleeping thread costs tens of
//! microseconds and steps usually come back to back. If the helper has not
//! picked the task up by the time the caller is done with its own half, the
//! caller takes it back and runs it itself, so a late or busy helper never
//! makes a pass slower than doing it all on one thread.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// How long the helper stays awake after a task, for the next step:
/// waking a sleeping thread takes tens of microseconds.
const HELPER_SPIN: Duration = Duration::from_micros(200);
/// How long a caller spins for the helper's half before sleeping.
const CALLER_SPIN: Duration = Duration::from_micros(500);

type Task = *const (dyn Fn() + Sync + 'static);

struct SendTask(Task);
// SAFETY: the closure is `Sync`, and the pointer is only dereferenced while
// the caller that owns the closure waits for completion.
unsafe impl Send for SendTask {}

/// The hand-over state; the atomics in `Helper` only mirror it so that
/// either side can spin without the lock.
#[derive(Default)]
struct Slot {
    task: Option<SendTask>,
    done: bool,
    panicked: bool,
    helper_asleep: bool,
    caller_asleep: bool,
}

#[derive(Default)]
struct Helper {
    /// Held by the one caller that currently uses the helper.
    claimed: AtomicBool,
    /// A task is waiting in the slot.
    posted: AtomicBool,
    /// The task in the slot has finished.
    finished: AtomicBool,
    slot: Mutex<Slot>,
    wake_helper: Condvar,
    wake_caller: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Spins until `flag` is set or `limit` has passed, yielding the core now
/// and then: on a busy machine the thread being waited for may be queued
/// behind this one.
fn spin_on(flag: &AtomicBool, limit: Duration) {
    let start = Instant::now();
    loop {
        for _ in 0..64 {
            if flag.load(Ordering::Acquire) {
                return;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= limit {
            return;
        }
        std::thread::yield_now();
    }
}

/// The helper, or `None` on a single core, when no thread can start, or
/// when `GRADSTEP_THREADS=1` asks for one thread (to measure a one-thread
/// step).
fn helper() -> Option<&'static Helper> {
    static HELPER: OnceLock<Option<&'static Helper>> = OnceLock::new();
    *HELPER.get_or_init(|| {
        if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2
            || std::env::var("GRADSTEP_THREADS").is_ok_and(|v| v.trim() == "1")
        {
            return None;
        }
        let h: &'static Helper = Box::leak(Box::default());
        std::thread::Builder::new()
            .name("gradstep-kernel".into())
            .spawn(move || h.serve())
            .ok()
            .map(|_| h)
    })
}

impl Helper {
    fn serve(&self) {
        loop {
            spin_on(&self.posted, HELPER_SPIN);
            let mut slot = lock(&self.slot);
            let task = loop {
                if let Some(SendTask(task)) = slot.task.take() {
                    break task;
                }
                slot.helper_asleep = true;
                slot = self
                    .wake_helper
                    .wait(slot)
                    .unwrap_or_else(PoisonError::into_inner);
                slot.helper_asleep = false;
            };
            self.posted.store(false, Ordering::Relaxed);
            drop(slot);
            // SAFETY: see `join`: the closure outlives this call.
            let ok = catch_unwind(AssertUnwindSafe(|| unsafe { (*task)() })).is_ok();
            let mut slot = lock(&self.slot);
            slot.done = true;
            slot.panicked = !ok;
            self.finished.store(true, Ordering::Release);
            if slot.caller_asleep {
                self.wake_caller.notify_one();
            }
        }
    }

    fn post(&self, task: Task) {
        let mut slot = lock(&self.slot);
        slot.task = Some(SendTask(task));
        slot.done = false;
        slot.panicked = false;
        self.finished.store(false, Ordering::Relaxed);
        self.posted.store(true, Ordering::Release);
        if slot.helper_asleep {
            self.wake_helper.notify_one();
        }
    }
}

/// Waits for the helper's task (also when unwinding) and releases it.
struct Pending {
    helper: &'static Helper,
    finished: Option<bool>,
}

impl Pending {
    /// Takes the task back if the helper has not started it (it may be
    /// asleep or busy elsewhere): then the caller runs it, rather than
    /// wait for the helper. Returns whether it did.
    fn reclaim(&mut self) -> bool {
        if self.finished.is_some() {
            return false;
        }
        let h = self.helper;
        let mut slot = lock(&h.slot);
        if slot.task.take().is_none() {
            return false;
        }
        h.posted.store(false, Ordering::Relaxed);
        drop(slot);
        self.finished = Some(false);
        h.claimed.store(false, Ordering::Release);
        true
    }

    /// Waits; returns whether the task panicked.
    fn wait(&mut self) -> bool {
        if let Some(p) = self.finished {
            return p;
        }
        let h = self.helper;
        spin_on(&h.finished, CALLER_SPIN);
        let mut slot = lock(&h.slot);
        while !slot.done {
            slot.caller_asleep = true;
            slot = h
                .wake_caller
                .wait(slot)
                .unwrap_or_else(PoisonError::into_inner);
            slot.caller_asleep = false;
        }
        let panicked = slot.panicked;
        drop(slot);
        self.finished = Some(panicked);
        h.claimed.store(false, Ordering::Release);
        panicked
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.reclaim() {
            self.wait();
        }
    }
}

pub(crate) fn join<RA, RB: Send>(
    a: impl FnOnce() -> RA,
    b: impl FnOnce() -> RB + Send,
) -> (RA, RB) {
    let Some(h) = helper().filter(|h| {
        h.claimed
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }) else {
        return (a(), b());
    };
    let b = Mutex::new(Some(b));
    let rb = Mutex::new(None);
    let task = || {
        let f = lock(&b).take();
        if let Some(f) = f {
            let r = f();
            *lock(&rb) = Some(r);
        }
    };
    let task: &(dyn Fn() + Sync + '_) = &task;
    // SAFETY: only the lifetime is erased; `pending` below waits for the
    // helper to finish with the task before `task`, `b` or `rb` can be
    // dropped, on return and on unwinding alike.
    let task: Task = unsafe { std::mem::transmute::<*const (dyn Fn() + Sync + '_), Task>(task) };
    let mut pending = Pending {
        helper: h,
        finished: None,
    };
    h.post(task);
    let ra = a();
    if pending.reclaim() {
        // SAFETY: as above; the helper no longer has the pointer.
        unsafe { (*task)() };
    } else if pending.wait() {
        panic!("gradstep kernel: the helper thread's half of the pass panicked");
    }
    let rb = lock(&rb).take().expect("helper ran the task");
    (ra, rb)
}
