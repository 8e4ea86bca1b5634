//! Fault injection for resilience tests: throttling, outages, dropped connections and latency on
//! `/chat/...` requests. Off by default.

use std::time::Duration;

use parking_lot::Mutex;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Largest accepted `retry_after_secs` (one hour): larger values only make client tests hang.
pub const MAX_RETRY_AFTER_SECS: u32 = 3600;
/// Largest accepted `latency_ms` (one minute).
pub const MAX_LATENCY_MS: u64 = 60_000;

/// Which faults to inject into `/chat/...` requests (identity and admin requests are never faulted).
///
/// Serialized as JSON with exactly these field names, e.g.
/// `{"rate_429":0.0,"retry_after_secs":1,"rate_503":0.0,"rate_drop_before":0.0,"rate_drop_after":0.0,
///   "latency_ms":0,"remaining":null}`.
///
/// Each request draws independently against each rate, in the order drop-before, 429, 503,
/// drop-after; the first hit wins. A request that gets any fault (latency included) counts once
/// against `remaining`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Probability (0..=1) of answering 429 `TooManyRequests` without running the handler.
    pub rate_429: f64,
    /// Seconds sent in `Retry-After` (and, times 1000, in `retry-after-ms`) with 429 and 503.
    pub retry_after_secs: u32,
    /// Probability (0..=1) of answering 503 `ServiceUnavailable` without running the handler.
    pub rate_503: f64,
    /// Probability (0..=1) of closing the connection without running the handler or answering.
    pub rate_drop_before: f64,
    /// Probability (0..=1) of running the handler (so its write is committed) and then closing the
    /// connection without sending the response.
    pub rate_drop_after: f64,
    /// Milliseconds to sleep before handling each chat request.
    pub latency_ms: u64,
    /// How many more requests may be faulted; `None` (JSON null) means unlimited. Decremented on each
    /// faulted request, so e.g. `rate_503 = 1, remaining = 2` fails exactly the next two chat requests.
    pub remaining: Option<u64>,
}

impl Default for FaultConfig {
    /// No faults: every rate 0, no latency, `retry_after_secs` 1, `remaining` unlimited.
    fn default() -> Self {
        FaultConfig {
            rate_429: 0.0,
            retry_after_secs: 1,
            rate_503: 0.0,
            rate_drop_before: 0.0,
            rate_drop_after: 0.0,
            latency_ms: 0,
            remaining: None,
        }
    }
}

impl FaultConfig {
    /// Checks every value.
    ///
    /// # Errors
    /// A message naming the field and the accepted range: rates must be finite and within 0..=1,
    /// `retry_after_secs` at most [`MAX_RETRY_AFTER_SECS`], `latency_ms` at most [`MAX_LATENCY_MS`].
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("rate_429", self.rate_429),
            ("rate_503", self.rate_503),
            ("rate_drop_before", self.rate_drop_before),
            ("rate_drop_after", self.rate_drop_after),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!(
                    "'{name}' must be a probability between 0 and 1, got {rate}"
                ));
            }
        }
        if self.retry_after_secs > MAX_RETRY_AFTER_SECS {
            return Err(format!(
                "'retry_after_secs' must be at most {MAX_RETRY_AFTER_SECS}, got {}",
                self.retry_after_secs
            ));
        }
        if self.latency_ms > MAX_LATENCY_MS {
            return Err(format!(
                "'latency_ms' must be at most {MAX_LATENCY_MS}, got {}",
                self.latency_ms
            ));
        }
        Ok(())
    }

    /// Applies a partial update: the fields present in `patch` (a JSON object) replace the current
    /// ones, the others are kept; `"remaining": null` sets "unlimited". The result is validated.
    ///
    /// # Errors
    /// A message naming the problem: not an object, an unknown field, a wrong type, or a value out of range.
    pub fn merged_with(&self, patch: &serde_json::Value) -> Result<FaultConfig, String> {
        let serde_json::Value::Object(fields) = patch else {
            return Err("the fault configuration must be a JSON object".to_owned());
        };
        let mut current = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map,
            // A plain struct of numbers always serializes to an object; keep this total anyway.
            _ => return Err("the current fault configuration could not be read".to_owned()),
        };
        for (key, value) in fields {
            if !current.contains_key(key) {
                return Err(format!(
                    "unknown field '{key}'; expected one of rate_429, retry_after_secs, rate_503, \
                     rate_drop_before, rate_drop_after, latency_ms, remaining"
                ));
            }
            current.insert(key.clone(), value.clone());
        }
        let merged: FaultConfig = serde_json::from_value(serde_json::Value::Object(current))
            .map_err(|e| format!("invalid fault configuration: {e}"))?;
        merged.validate()?;
        Ok(merged)
    }
}

/// What to do to one chat request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    TooManyRequests { retry_after_secs: u32 },
    ServiceUnavailable { retry_after_secs: u32 },
    DropBefore,
    DropAfter,
}

/// The outcome of the draw for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    pub latency: Duration,
    pub fault: Option<Fault>,
}

/// The live fault configuration shared by every connection; thread-safe.
#[derive(Debug)]
pub(crate) struct FaultState {
    config: Mutex<FaultConfig>,
}

impl FaultState {
    pub fn new(config: FaultConfig) -> Self {
        FaultState {
            config: Mutex::new(config),
        }
    }

    pub fn get(&self) -> FaultConfig {
        self.config.lock().clone()
    }

    pub fn set(&self, config: FaultConfig) {
        *self.config.lock() = config;
    }

    /// Merges a partial update under the lock, so concurrent updates do not lose each other's fields.
    pub fn merge(&self, patch: &serde_json::Value) -> Result<FaultConfig, String> {
        let mut guard = self.config.lock();
        let merged = guard.merged_with(patch)?;
        *guard = merged.clone();
        Ok(merged)
    }

    /// Draws the faults for one chat request and counts it against `remaining` if it is faulted.
    pub fn decide(&self) -> Decision {
        self.decide_with(&mut rand::thread_rng())
    }

    fn decide_with(&self, rng: &mut impl Rng) -> Decision {
        let mut cfg = self.config.lock();
        let none = Decision {
            latency: Duration::ZERO,
            fault: None,
        };
        if cfg.remaining == Some(0) {
            return none;
        }
        // `gen::<f64>()` is in [0, 1): a rate of 1 always hits and a rate of 0 (or NaN) never does.
        let mut hit = |rate: f64| rate > 0.0 && rng.gen::<f64>() < rate;
        let retry_after_secs = cfg.retry_after_secs;
        let fault = if hit(cfg.rate_drop_before) {
            Some(Fault::DropBefore)
        } else if hit(cfg.rate_429) {
            Some(Fault::TooManyRequests { retry_after_secs })
        } else if hit(cfg.rate_503) {
            Some(Fault::ServiceUnavailable { retry_after_secs })
        } else if hit(cfg.rate_drop_after) {
            Some(Fault::DropAfter)
        } else {
            None
        };
        let latency = Duration::from_millis(cfg.latency_ms);
        if fault.is_none() && latency.is_zero() {
            return none;
        }
        if let Some(left) = cfg.remaining.as_mut() {
            *left -= 1;
        }
        Decision { latency, fault }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use serde_json::json;

    #[test]
    fn default_round_trips_as_the_documented_json() {
        let v = serde_json::to_value(FaultConfig::default()).unwrap();
        assert_eq!(
            v,
            json!({"rate_429": 0.0, "retry_after_secs": 1, "rate_503": 0.0, "rate_drop_before": 0.0,
                   "rate_drop_after": 0.0, "latency_ms": 0, "remaining": null})
        );
        let back: FaultConfig = serde_json::from_value(v).unwrap();
        assert_eq!(back, FaultConfig::default());
    }

    #[test]
    fn validation_names_the_field() {
        let bad = FaultConfig {
            rate_503: 1.5,
            ..FaultConfig::default()
        };
        assert!(bad.validate().unwrap_err().contains("rate_503"));
        let nan = FaultConfig {
            rate_429: f64::NAN,
            ..FaultConfig::default()
        };
        assert!(nan.validate().unwrap_err().contains("rate_429"));
        let slow = FaultConfig {
            latency_ms: MAX_LATENCY_MS + 1,
            ..FaultConfig::default()
        };
        assert!(slow.validate().unwrap_err().contains("latency_ms"));
        let long = FaultConfig {
            retry_after_secs: MAX_RETRY_AFTER_SECS + 1,
            ..FaultConfig::default()
        };
        assert!(long.validate().unwrap_err().contains("retry_after_secs"));
        FaultConfig::default().validate().unwrap();
    }

    #[test]
    fn partial_merge_keeps_other_fields_and_null_means_unlimited() {
        let start = FaultConfig {
            rate_429: 0.5,
            remaining: Some(3),
            ..FaultConfig::default()
        };
        let merged = start.merged_with(&json!({"rate_503": 1.0})).unwrap();
        assert_eq!(merged.rate_429, 0.5);
        assert_eq!(merged.rate_503, 1.0);
        assert_eq!(merged.remaining, Some(3));
        let merged = merged.merged_with(&json!({"remaining": null})).unwrap();
        assert_eq!(merged.remaining, None);
        assert!(start
            .merged_with(&json!({"rate_42": 1}))
            .unwrap_err()
            .contains("unknown field 'rate_42'"));
        assert!(start
            .merged_with(&json!({"rate_429": -0.1}))
            .unwrap_err()
            .contains("rate_429"));
        assert!(start
            .merged_with(&json!({"latency_ms": "slow"}))
            .unwrap_err()
            .contains("invalid"));
        assert!(start
            .merged_with(&json!([1]))
            .unwrap_err()
            .contains("object"));
    }

    #[test]
    fn remaining_bounds_the_faulted_requests() {
        let state = FaultState::new(FaultConfig {
            rate_503: 1.0,
            retry_after_secs: 7,
            remaining: Some(2),
            ..FaultConfig::default()
        });
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..2 {
            assert_eq!(
                state.decide_with(&mut rng).fault,
                Some(Fault::ServiceUnavailable {
                    retry_after_secs: 7
                })
            );
        }
        assert_eq!(state.decide_with(&mut rng).fault, None);
        assert_eq!(state.get().remaining, Some(0));
    }

    #[test]
    fn unfaulted_requests_do_not_count() {
        let state = FaultState::new(FaultConfig {
            remaining: Some(1),
            ..FaultConfig::default()
        });
        let mut rng = StdRng::seed_from_u64(2);
        assert_eq!(state.decide_with(&mut rng).fault, None);
        assert_eq!(state.get().remaining, Some(1));
    }

    #[test]
    fn latency_alone_counts_and_drop_before_wins() {
        let state = FaultState::new(FaultConfig {
            latency_ms: 5,
            remaining: Some(1),
            ..FaultConfig::default()
        });
        let mut rng = StdRng::seed_from_u64(3);
        let d = state.decide_with(&mut rng);
        assert_eq!(d.latency, Duration::from_millis(5));
        assert_eq!(state.get().remaining, Some(0));

        state.set(FaultConfig {
            rate_drop_before: 1.0,
            rate_429: 1.0,
            rate_503: 1.0,
            rate_drop_after: 1.0,
            ..FaultConfig::default()
        });
        assert_eq!(state.decide_with(&mut rng).fault, Some(Fault::DropBefore));
        assert_eq!(state.get().remaining, None);
    }
}
