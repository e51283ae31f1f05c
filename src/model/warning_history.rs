//! When the queue's warnings would have fired: the rules of [`super::warnings`] replayed minute
//! by minute over the series, for the incident timeline (read after the fact, when the warning
//! may be long gone). The task and target rules have no history to replay and are left out.

use super::dashboard::{Series, PERIOD_SECONDS};
use super::timeline::{self, Entry};
use super::warnings::{queue_age_rising, queue_not_consumed, Thresholds, Warning, WarningInput};
use std::collections::BTreeSet;

/// Each queue warning at the first minute it fired (again, after a minute it did not), from
/// `from` on (one that began before and still held is not an onset): (unix seconds the dashboard would have shown it — the end of that minute — the
/// warning as it would have read).
pub fn onsets(input: &WarningInput, t: &Thresholds, from: i64) -> Vec<(i64, Warning)> {
    let period = i64::from(PERIOD_SECONDS);
    let mut out = Vec::new();
    let mut active: BTreeSet<&'static str> = BTreeSet::new();
    for &(minute, _) in &input.depth {
        let upto =
            |s: &Series| -> Series { s.iter().filter(|(x, _)| *x <= minute).copied().collect() };
        let now = (minute + period).min(input.now);
        let past = WarningInput {
            depth: upto(&input.depth),
            age: upto(&input.age),
            received: upto(&input.received),
            deleted: upto(&input.deleted),
            now,
            task_stops: Vec::new(),
            targets: Vec::new(),
            ..input.clone()
        };
        let fired: Vec<Warning> = [queue_not_consumed(&past, t), queue_age_rising(&past, t)]
            .into_iter()
            .flatten()
            .collect();
        let codes = fired.iter().map(|w| w.code).collect();
        out.extend(
            fired
                .into_iter()
                .filter(|w| !active.contains(w.code) && now >= from)
                .map(|w| (now, w)),
        );
        active = codes;
    }
    out
}

/// [`onsets`] as timeline entries, at the minute each warning would have shown.
pub fn timeline_entries(input: &WarningInput, t: &Thresholds, from: i64) -> Vec<Entry> {
    onsets(input, t, from)
        .into_iter()
        .map(|(at, w)| timeline::warning(at, w.code, &format!("WARNING: {}", w.message)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000;

    fn series(values: &[f64]) -> Series {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (T0 + 60 * i as i64, *v))
            .collect()
    }

    #[test]
    fn a_stall_fires_once_at_the_minute_it_would_have_shown_and_again_after_recovery() {
        // Consumed for 3 minutes, stalled for 5 (depth +300 a minute), drained, stalled again.
        let depth = [
            0., 0., 0., 300., 600., 900., 1200., 1500., 0., 0., 300., 600., 900., 1200.,
        ];
        let consumed = [9., 9., 9., 0., 0., 0., 0., 0., 900., 9., 0., 0., 0., 0.];
        let input = WarningInput {
            queue: "courier-local-work".into(),
            depth: series(&depth),
            received: series(&consumed),
            deleted: series(&consumed),
            now: T0 + 60 * depth.len() as i64,
            ..Default::default()
        };
        let t = Thresholds::default();
        let found = onsets(&input, &t, T0);
        let at: Vec<(i64, &str)> = found
            .iter()
            .map(|(at, w)| ((at - T0) / 60, w.code))
            .collect();
        // Rising over 3 minutes after the stall began at minute 2 (the last flat point): minute
        // 6's point (its end, minute 7) is the first the rule accepts.
        assert_eq!(
            at,
            [(7, "queue_not_consumed"), (14, "queue_not_consumed")],
            "{found:#?}"
        );
        assert!(
            found[0].1.message.contains("+5/s"),
            "{}",
            found[0].1.message
        );
        assert!(
            onsets(&input, &t, T0 + 60 * 8).len() == 1,
            "from: only the second"
        );
        assert!(onsets(&WarningInput::default(), &t, T0).is_empty());
    }
}
