//! The golden fixtures' `F.interpolate` options, as an [`Upsample`].

use serde::Deserialize;
use serde_json::Value;
use wgpu_upsample::{Error, Upsample, UpsampleMode};

/// The options of a PyTorch `F.interpolate` call as the golden fixtures record them.
#[derive(Deserialize)]
pub struct Options {
    pub mode: String,
    pub size: Value,
    pub scale_factor: Value,
    pub align_corners: Option<bool>,
    pub recompute_scale_factor: Option<bool>,
    pub antialias: bool,
}

fn list<T>(v: &Value, f: impl Fn(&Value) -> Option<T>) -> Option<Vec<T>> {
    match v {
        Value::Null => None,
        Value::Array(a) => Some(a.iter().map(|x| f(x).expect("number")).collect()),
        x => Some(vec![f(x).expect("number")]),
    }
}

impl Options {
    /// The Upsample these options describe, or None when Rust's types cannot express them
    /// (a negative size).
    pub fn upsample(&self) -> Result<Option<Upsample>, Error> {
        let size = match list(&self.size, |x| x.as_i64()) {
            Some(s) if s.iter().any(|&v| v < 0) => return Ok(None),
            s => s.map(|s| s.into_iter().map(|v| v as usize).collect()),
        };
        Ok(Some(Upsample {
            size,
            scale_factor: list(&self.scale_factor, |x| x.as_f64()),
            mode: self.mode.parse::<UpsampleMode>()?,
            align_corners: self.align_corners,
            recompute_scale_factor: self.recompute_scale_factor,
            antialias: self.antialias,
        }))
    }
}
