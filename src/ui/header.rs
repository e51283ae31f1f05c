//! The header line: what is shown, its state, and where the dashboard reads from.

use crate::app::State;
use crate::model::health::Verdict;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The header: on the left the stack (or the production banner), READ-ONLY, the action under
/// way, the verdict and the data's age; on the right where the dashboard reads from,
/// `account · profile · region` (the account once STS answered, e.g.
/// `123456789012 · prod-admin · eu-west-1`).
///
/// What does not fit is dropped in this order: first the account (at 80 columns a healthy stack
/// shows `prod-admin · eu-west-1` and no account), then the header's age (every panel's title
/// still shows it). A verdict that fits whole is never cut for the rest: the profile and region
/// give way to it. A verdict too long for the line anyway (a DEGRADED or ERROR reason) is cut
/// shorter, with `…`, so that `profile · region` still shows at its end: after a switch into a
/// region where nothing is found, the header still says where that is.
pub(super) fn draw(state: &State, frame: &mut Frame, area: Rect) {
    let age = Span::styled(
        format!(" · {}", state.age()),
        Style::default().fg(state.theme.muted),
    );
    let spans = fit(
        left(state),
        age,
        &whereabouts(state),
        Style::default().fg(state.theme.header),
        area.width as usize,
    );
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Where the dashboard reads from, longest first: `account · profile · region` once the account
/// is known, then `profile · region`; nothing when neither is known.
fn whereabouts(state: &State) -> Vec<String> {
    let place: Vec<&str> = [state.profile(), state.region()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if place.is_empty() {
        return Vec::new();
    }
    let short = place.join(" · ");
    match state.account() {
        Some(account) => vec![format!("{account} · {short}"), short],
        None => vec![short],
    }
}

/// The line that fits `width`: `left`, the age, and the longest of `places` that still leaves
/// two spaces before it and one after; without the age when only that makes room for the
/// shortest; `left` cut with `…` when it does not fit at all; else `left` and the age alone
/// (see [`draw`]).
fn fit<'a>(
    mut left: Vec<Span<'a>>,
    age: Span<'a>,
    places: &[String],
    style: Style,
    width: usize,
) -> Vec<Span<'a>> {
    let left_width: usize = left.iter().map(Span::width).sum();
    let tries = places
        .iter()
        .map(|place| (true, place))
        .chain(places.last().map(|place| (false, place)));
    for (with_age, place) in tries {
        let used = left_width + if with_age { age.width() } else { 0 };
        let place_width = place.width();
        if used + 2 + place_width + 1 > width {
            continue;
        }
        if with_age {
            left.push(age);
        }
        left.push(Span::raw(" ".repeat(width - used - place_width - 1)));
        left.push(Span::styled(place.clone(), style));
        return left;
    }
    match places.last() {
        // The verdict is cut anyway: shorter, so that the place shows. Not below a third of the
        // line, which keeps the stack's name and the start of the verdict.
        Some(place) if left_width > width && place.width() + 3 <= width * 2 / 3 => {
            let mut spans = cut(left, width - place.width() - 3);
            spans.push(Span::raw("  "));
            spans.push(Span::styled(place.clone(), style));
            spans
        }
        _ => {
            left.push(age);
            left
        }
    }
}

/// `spans` cut to `max` columns, the last of them `…`.
fn cut(spans: Vec<Span<'_>>, max: usize) -> Vec<Span<'_>> {
    let mut room = max.saturating_sub(1);
    let mut out = Vec::new();
    for span in spans {
        if span.width() <= room {
            room -= span.width();
            out.push(span);
            continue;
        }
        let mut text = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if w > room {
                break;
            }
            room -= w;
            text.push(c);
        }
        text.push('…');
        out.push(Span::styled(text, span.style));
        return out;
    }
    out
}

/// Everything left of the age.
fn left(state: &State) -> Vec<Span<'static>> {
    let theme = &state.theme;
    let warnings = state.warnings();
    let verdict = match state.verdict() {
        // A warning before the alarm: the rules of `model::warnings`, in the warning colour.
        Some(Verdict::Healthy) if !warnings.is_empty() => Span::styled(
            match warnings.len() {
                1 => format!("WARNING: {}", warnings[0].message),
                n => format!("WARNING (+{} more): {}", n - 1, warnings[0].message),
            },
            Style::default().fg(theme.warn).add_modifier(Modifier::BOLD),
        ),
        Some(Verdict::Healthy) => Span::styled("healthy", Style::default().fg(theme.ok)),
        Some(Verdict::Degraded(r)) => Span::styled(
            match r.as_slice() {
                [only] => format!("DEGRADED: {only}"),
                [first, rest @ ..] => format!("DEGRADED (+{} more): {first}", rest.len()),
                [] => "DEGRADED".to_owned(),
            },
            Style::default()
                .fg(theme.alarm)
                .add_modifier(Modifier::BOLD),
        ),
        Some(Verdict::Error(errors)) => Span::styled(
            format!("ERROR: {}", errors.first().map_or("", String::as_str)),
            Style::default()
                .fg(theme.error)
                .add_modifier(Modifier::BOLD),
        ),
        None => Span::styled("…", Style::default().fg(theme.muted)),
    };
    // Most important first: a narrow terminal cuts the end of the line.
    let mut spans = Vec::new();
    if state.production() {
        // The banner is the stack's name on the theme's alarm colour; the verdict after it keeps
        // its own colours on the normal background, so DEGRADED stays readable.
        spans.push(Span::styled(
            format!(" PRODUCTION · {} ", state.stack()),
            Style::default()
                .fg(theme.selection)
                .bg(theme.alarm)
                .add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(" "));
    } else {
        // Not healthy: the name of the tool gives its room to the reason (at 80 columns a
        // warning such as `courier-local-work +5/s, nothing consumed for 3 min` fits whole).
        let brand =
            if matches!(state.verdict(), Some(Verdict::Healthy) | None) && warnings.is_empty() {
                "stackdeck · "
            } else {
                ""
            };
        spans.push(Span::styled(
            format!(" {brand}{} · ", state.stack()),
            Style::default()
                .fg(theme.header)
                .add_modifier(Modifier::BOLD),
        ));
    }
    if state.read_only() {
        spans.push(Span::styled(
            "READ-ONLY ",
            Style::default().fg(theme.warn).add_modifier(Modifier::BOLD),
        ));
    }
    if let Some(activity) = state.activity() {
        spans.push(Span::styled(
            format!("{activity} "),
            Style::default()
                .fg(theme.accent)
                .add_modifier(Modifier::BOLD),
        ));
    }
    // The verdict before the age: a narrow terminal cuts the age, not the reason.
    spans.push(verdict);
    spans
}

#[cfg(test)]
mod tests {
    use crate::app::fixtures::{self, state_with, state_with_settings};
    use crate::app::{update, Msg, Settings, State};
    use crate::ui::tests::screen;

    fn header(state: &State, width: u16) -> String {
        screen(state, width, 24).lines().next().unwrap().to_owned()
    }

    fn known(state: &mut State) {
        let arn = "arn:aws:iam::123456789012:user/alice";
        update(state, Msg::Identity(Some(arn.into())));
    }

    #[test]
    fn at_160_columns_the_header_shows_account_profile_and_region_on_the_right() {
        let mut state = state_with(fixtures::healthy());
        let line = header(&state, 160);
        assert!(
            line.ends_with("  prod-admin · eu-west-1"),
            "until STS answers: {line}"
        );
        known(&mut state);
        let line = header(&state, 160);
        assert!(
            line.starts_with(" stackdeck · courier-local · healthy · updated 3 s ago  "),
            "{line}"
        );
        assert!(
            line.ends_with("  123456789012 · prod-admin · eu-west-1"),
            "{line}"
        );
        assert_eq!(line.chars().count(), 159, "one space after: {line:?}");
    }

    #[test]
    fn at_80_columns_the_account_goes_first_then_the_age() {
        let mut state = state_with(fixtures::healthy());
        known(&mut state);
        let line = header(&state, 80);
        assert_eq!(
            line,
            " stackdeck · courier-local · healthy · updated 3 s ago   prod-admin · eu-west-1"
        );
        // A longer profile: the age gives way, the verdict stays whole.
        let settings = Settings {
            interval: 5,
            profile: "production-admin".into(),
            region: "ap-southeast-2".into(),
            ..Default::default()
        };
        let mut state = state_with_settings(fixtures::healthy(), settings);
        known(&mut state);
        let line = header(&state, 80);
        assert!(
            line.starts_with(" stackdeck · courier-local · healthy  "),
            "{line}"
        );
        assert!(!line.contains("updated"), "{line}");
        assert!(
            line.ends_with("  production-admin · ap-southeast-2"),
            "{line}"
        );
        assert!(line.chars().count() < 80, "{line}");
    }

    #[test]
    fn a_verdict_cut_anyway_is_cut_shorter_for_the_place() {
        // The whole verdict takes 88 columns here.
        let state = state_with(fixtures::failing_deployment());
        let line = header(&state, 80);
        assert_eq!(
            line,
            " courier-local · DEGRADED (+1 more): service courier-l…  prod-admin · eu-west-1"
        );
        assert_eq!(line.chars().count(), 79);
        let line = header(&state, 160);
        assert!(
            line.contains("2 tasks running · updated 3 s ago  "),
            "{line}"
        );
        assert!(line.ends_with("  prod-admin · eu-west-1"), "{line}");
    }

    #[test]
    fn a_verdict_that_fits_whole_is_not_cut_for_the_place() {
        let mut data = fixtures::healthy();
        data.health.alarms = Err("DescribeAlarms throttled: try again soon".into());
        let state = state_with(data);
        let line = header(&state, 80);
        assert_eq!(
            line,
            " courier-local · ERROR: alarms: DescribeAlarms throttled: try again soon · updat"
        );
        let line = header(&state_with(fixtures::alarm_firing()), 80);
        assert_eq!(
            line,
            " courier-local · DEGRADED: alarm courier-local-queue-depth is in ALARM · updated"
        );
    }
}
