//! From CSV bytes to the numbers a model trains on.

pub mod column;
