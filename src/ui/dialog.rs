//! The dialogs over the dashboard: the rollback picker, the confirmation (default No; the typed
//! queue name for a purge), the outcome of an action, and the audit log.

use crate::app::ops::{Confirm, Dialog};
use crate::app::State;
use crate::model::ecs::short;
use crate::model::mutation::Mutation;
use crate::model::rollback::RollbackChoices;
use crate::model::sqs::queue_name;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// A centred box of at most `width` × `height`.
fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let (width, height) = (width.min(area.width), height.min(area.height));
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// Rows `lines` take when wrapped (at word boundaries, as they are drawn) at `width`.
fn rows(lines: &[Line<'_>], width: u16) -> u16 {
    let rows = Paragraph::new(lines.to_vec())
        .wrap(Wrap { trim: false })
        .line_count(width.max(1));
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// Draw wrapped `lines` in `area`; what does not fit ends in a line saying how much is hidden.
fn clipped(state: &State, frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
    let total = rows(&lines, area.width);
    if total <= area.height {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    }
    let [shown, note] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), shown);
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                "… {} more line(s): a taller terminal shows them",
                total - shown.height
            ),
            Style::default().fg(state.theme.muted),
        )),
        note,
    );
}

fn frame_box(state: &State, frame: &mut Frame, area: Rect, title: String, alarm: bool) -> Rect {
    let colour = if alarm {
        state.theme.alarm
    } else {
        state.theme.focus
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(colour).add_modifier(Modifier::BOLD))
        .title(Line::styled(
            format!(" {title} "),
            Style::default().fg(colour).add_modifier(Modifier::BOLD),
        ));
    frame.render_widget(Clear, area);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// A box sized to its text: `lines` (wrapped; clipped with a note when the screen is too
/// small), then `prompt` — always drawn whole, so a question and its answer are never cut off —
/// and a hint line at the bottom.
#[allow(clippy::too_many_arguments)]
pub(super) fn text_box(
    state: &State,
    frame: &mut Frame,
    area: Rect,
    title: String,
    lines: Vec<Line<'static>>,
    prompt: Vec<Line<'static>>,
    hint: Line<'static>,
    alarm: bool,
) {
    let width = 76.min(area.width);
    let inner_width = width.saturating_sub(2);
    let prompt_rows = if prompt.is_empty() {
        0
    } else {
        rows(&prompt, inner_width) + 1
    };
    let height = rows(&lines, inner_width) + prompt_rows + 4;
    let popup = centred(area, width, height);
    let inner = frame_box(state, frame, popup, title, alarm);
    let [body, prompt_area, _, footer] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(prompt_rows),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    clipped(state, frame, body, lines);
    if !prompt.is_empty() {
        let [_, prompt_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(prompt_area);
        frame.render_widget(
            Paragraph::new(prompt).wrap(Wrap { trim: false }),
            prompt_area,
        );
    }
    frame.render_widget(Paragraph::new(hint), footer);
}

pub fn draw(state: &State, frame: &mut Frame, area: Rect) {
    let Some(dialog) = &state.ops.dialog else {
        return;
    };
    let theme = &state.theme;
    let muted = Style::default().fg(theme.muted);
    match dialog {
        Dialog::Confirm(confirm) => draw_confirm(state, frame, area, confirm),
        Dialog::Outcome { title, lines, ok } => {
            let colour = if *ok { theme.ok } else { theme.error };
            let lines = lines
                .iter()
                .map(|l| Line::styled(l.clone(), Style::default().fg(colour)))
                .collect();
            text_box(
                state,
                frame,
                area,
                title.clone(),
                lines,
                Vec::new(),
                Line::styled("Enter or Esc closes", muted),
                !ok,
            );
        }
        Dialog::Picker { choices, cursor } => draw_picker(state, frame, area, choices, *cursor),
        Dialog::Which {
            request,
            options,
            cursor,
        } => super::which::draw(state, frame, area, request, options, *cursor),
        Dialog::Timeline(view) => super::timeline::draw(state, frame, area, view),
        Dialog::Audit { records, scroll } => {
            let popup = centred(
                area,
                area.width.saturating_sub(4),
                area.height.saturating_sub(2),
            );
            let inner = frame_box(
                state,
                frame,
                popup,
                format!(
                    "audit log · {} attempt{} · newest first · Esc closes",
                    records.len(),
                    if records.len() == 1 { "" } else { "s" }
                ),
                false,
            );
            let lines: Vec<Line> = if records.is_empty() {
                vec![Line::styled("no attempted mutation recorded yet", muted)]
            } else {
                records
                    .iter()
                    .skip(*scroll)
                    .take(inner.height as usize)
                    .map(|r| {
                        let colour = match r.result.as_str() {
                            "ok" => theme.ok,
                            "refused" => theme.warn,
                            _ => theme.error,
                        };
                        let mut spans = vec![
                            Span::styled(
                                format!("{} ", r.time.get(..19).unwrap_or(&r.time)),
                                muted,
                            ),
                            Span::styled(
                                format!("{:<8} ", r.action),
                                Style::default().fg(theme.accent),
                            ),
                            Span::styled(format!("{:<7} ", r.result), Style::default().fg(colour)),
                            Span::raw(format!("{} ", r.target)),
                            Span::styled(format!("by {}", r.user), muted),
                        ];
                        if let Some(e) = &r.error {
                            spans
                                .push(Span::styled(format!(" · {e}"), Style::default().fg(colour)));
                        }
                        Line::from(spans)
                    })
                    .collect()
            };
            frame.render_widget(Paragraph::new(lines), inner);
        }
    }
}

fn draw_confirm(state: &State, frame: &mut Frame, area: Rect, confirm: &Confirm) {
    let theme = &state.theme;
    let mutation = &confirm.mutation;
    let lines: Vec<Line<'static>> = confirm
        .details
        .iter()
        .map(|d| Line::styled(d.clone(), Style::default().fg(theme.text)))
        .collect();
    let mut prompt = Vec::new();
    let hint = match mutation.typed_confirmation() {
        Some(name) => {
            prompt.push(Line::from(vec![
                Span::raw("type the queue name "),
                Span::styled(
                    name.clone(),
                    Style::default()
                        .fg(theme.accent)
                        .add_modifier(Modifier::BOLD),
                ),
                Span::raw(" to confirm:"),
            ]));
            prompt.push(Line::from(vec![
                Span::styled("> ", Style::default().fg(theme.accent)),
                Span::raw(format!("{}█", confirm.typed)),
            ]));
            if confirm.mismatch {
                prompt.push(Line::styled(
                    format!(
                        "`{}` is not `{name}`: nothing done; fix it or Esc",
                        confirm.typed
                    ),
                    Style::default().fg(theme.error),
                ));
            }
            Line::styled(
                "Enter confirms the typed name · Esc cancels",
                Style::default().fg(theme.muted),
            )
        }
        None => {
            let button = |label: &str, on: bool| {
                let style = super::choice_style(theme, on);
                Span::styled(format!("[ {label} ]"), style)
            };
            prompt.push(Line::from(vec![
                button("No", !confirm.yes),
                Span::raw("  "),
                button("Yes", confirm.yes),
            ]));
            Line::styled(
                "y / ← → choose · Enter presses · Esc cancels",
                Style::default().fg(theme.muted),
            )
        }
    };
    text_box(
        state,
        frame,
        area,
        match mutation {
            Mutation::Purge { queue_url } => format!("purge queue {}?", queue_name(queue_url)),
            Mutation::Redrive { dlq_url, .. } => format!("redrive {}?", queue_name(dlq_url)),
            Mutation::Scale {
                service, from, to, ..
            } => format!("scale {service} from {from} to {to}?"),
            Mutation::StopTask { task, .. } => format!("stop task {task}?"),
            Mutation::StopDeployment { service, .. } => {
                format!("stop the deployment of {service} and roll back?")
            }
            _ => format!("{} {}?", mutation.name(), mutation.target()),
        },
        lines,
        prompt,
        hint,
        true,
    );
}

fn draw_picker(
    state: &State,
    frame: &mut Frame,
    area: Rect,
    choices: &RollbackChoices,
    cursor: usize,
) {
    let theme = &state.theme;
    let muted = Style::default().fg(theme.muted);
    let longest_diff = choices
        .options
        .iter()
        .map(|o| o.diff.len().max(1))
        .max()
        .unwrap_or(1) as u16;
    let mut head = vec![Line::from(vec![
        Span::styled("running ", muted),
        Span::styled(
            short(&choices.running).to_owned(),
            Style::default().fg(theme.text),
        ),
        Span::styled(format!(" · preselected: {}", choices.reason), muted),
    ])];
    if let Some(note) = &choices.note {
        head.push(Line::styled(note.clone(), Style::default().fg(theme.warn)));
    }
    if choices.interrupts_deployment {
        head.push(Line::styled(
            "a deployment is still in progress: rolling back stops it",
            Style::default().fg(theme.warn),
        ));
    }
    // Sized to the content: the head (wrapped), every revision, the longest diff, the hint.
    let width = 100.min(area.width);
    let head_rows = rows(&head, width.saturating_sub(2));
    let options = choices.options.len() as u16;
    let wanted = 2 + head_rows + options + 1 + longest_diff + 1;
    let popup = centred(area, width, wanted.min(area.height.saturating_sub(2)));
    let inner = frame_box(
        state,
        frame,
        popup,
        format!(
            "roll back {}/{}: choose a revision",
            choices.cluster, choices.service
        ),
        true,
    );
    // What the list cannot show scrolls; the diff keeps at least its heading and one line.
    let list_rows = options
        .min(inner.height.saturating_sub(head_rows + 1 + 2))
        .max(1);
    let [head_area, list_area, diff_area, footer] = Layout::vertical([
        Constraint::Length(head_rows),
        Constraint::Length(list_rows),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), head_area);
    let first = cursor.saturating_sub(list_rows as usize - 1);
    let list: Vec<Line> = choices
        .options
        .iter()
        .enumerate()
        .skip(first)
        .take(list_rows as usize)
        .map(|(i, o)| {
            let selected = i == cursor;
            let style = super::choice_style(theme, selected);
            let mark = if i == choices.selected { "★" } else { " " };
            Line::from(vec![
                Span::styled(
                    format!(
                        "{} {mark} {:<32}",
                        if selected { "▶" } else { " " },
                        short(&o.task_definition)
                    ),
                    style,
                ),
                Span::styled(format!(" {}", o.label), muted),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(list), list_area);
    let mut diff = vec![Line::styled(
        format!(
            "changes from {} to the highlighted revision:",
            short(&choices.running)
        ),
        muted,
    )];
    match choices.options.get(cursor) {
        Some(o) if o.diff.is_empty() => diff.push(Line::raw(
            "  none: same image, command, environment and size",
        )),
        Some(o) => diff.extend(o.diff.iter().map(|d| Line::raw(format!("  {d}")))),
        None => {}
    }
    clipped(state, frame, diff_area, diff);
    frame.render_widget(
        Paragraph::new(Line::styled(
            "↑ ↓ choose · ★ preselected · Enter continues to the confirmation · Esc cancels",
            muted,
        )),
        footer,
    );
}
