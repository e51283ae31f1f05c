//! The start picker's update: the order, the filter, the keys, rows arriving, errors.

use super::*;

fn names(picker: &Picker) -> Vec<String> {
    picker
        .visible()
        .map(|row| match row {
            Row::Stack(name) => format!("stack {name}"),
            Row::Service(s) => format!("{}/{}", s.cluster, s.service),
        })
        .collect()
}

fn typed(picker: &mut Picker, text: &str) {
    for c in text.chars() {
        assert_eq!(picker.update(Msg::Key(Key::Char(c))), Outcome::Continue);
    }
}

#[test]
fn stacks_come_first_and_a_typed_filter_narrows_the_rows() {
    let mut picker = fixture(6, 24);
    assert_eq!(picker.total(), 8);
    assert_eq!(
        &names(&picker)[..3],
        ["stack billing", "stack courier-local", "prod-east/svc-000"]
    );
    typed(&mut picker, "WEST");
    assert_eq!(names(&picker), ["prod-west/svc-001", "prod-west/svc-004"]);
    typed(&mut picker, " 4");
    assert_eq!(names(&picker), ["prod-west/svc-004"]);
    picker.update(Msg::Key(Key::Backspace));
    picker.update(Msg::Key(Key::Backspace));
    assert_eq!(
        picker.filter, "WEST",
        "kept as typed, matched case-insensitively"
    );
    assert_eq!(picker.visible().len(), 2);
}

#[test]
fn enter_picks_the_row_under_the_cursor() {
    let mut picker = fixture(6, 24);
    assert_eq!(
        picker.update(Msg::Key(Key::Enter)),
        Outcome::Picked(Picked::Stack("billing".into()))
    );
    picker.update(Msg::Key(Key::Down));
    picker.update(Msg::Key(Key::Down));
    assert_eq!(
        picker.update(Msg::Key(Key::Enter)),
        Outcome::Picked(Picked::Service {
            cluster: "prod-east".into(),
            service: "svc-000".into()
        })
    );
    typed(&mut picker, "nothing-like-this");
    assert_eq!(picker.update(Msg::Key(Key::Enter)), Outcome::Continue);
}

#[test]
fn esc_clears_the_filter_then_quits_and_q_quits_only_with_no_filter() {
    let mut picker = fixture(3, 24);
    typed(&mut picker, "sq");
    assert_eq!(picker.filter, "sq", "q is a letter once a filter is typed");
    assert_eq!(picker.update(Msg::Key(Key::Esc)), Outcome::Continue);
    assert_eq!(picker.filter, "");
    assert_eq!(picker.update(Msg::Key(Key::Esc)), Outcome::Quit);
    assert_eq!(picker.update(Msg::Key(Key::Char('q'))), Outcome::Quit);
    typed(&mut picker, "x");
    assert_eq!(picker.update(Msg::Key(Key::Ctrl('c'))), Outcome::Quit);
}

#[test]
fn keys_move_by_row_and_page_and_the_cursor_stays_on_screen() {
    // 24 lines: 20 rows on screen.
    let mut picker = fixture(100, 24);
    assert_eq!(picker.page(), 20);
    picker.update(Msg::Key(Key::PageDown));
    assert_eq!((picker.cursor, picker.offset), (20, 1));
    picker.update(Msg::Key(Key::End));
    assert_eq!((picker.cursor, picker.offset), (101, 82));
    picker.update(Msg::Key(Key::Down));
    assert_eq!(picker.cursor, 101, "the last row stays the last");
    picker.update(Msg::Key(Key::PageUp));
    assert_eq!((picker.cursor, picker.offset), (81, 81));
    picker.update(Msg::Key(Key::Up));
    assert_eq!((picker.cursor, picker.offset), (80, 80));
    picker.update(Msg::Key(Key::Home));
    assert_eq!((picker.cursor, picker.offset), (0, 0));
    picker.update(Msg::Key(Key::Up));
    assert_eq!(picker.cursor, 0);
}

#[test]
fn rows_arriving_keep_the_cursor_on_its_row_and_count_until_done() {
    let mut picker = Picker::new("default", Theme::default(), 24);
    assert!(picker.loading());
    let row = |cluster: &str, service: &str| ServiceRow {
        cluster: cluster.into(),
        service: service.into(),
        status: "ACTIVE".into(),
        running: 0,
        desired: 0,
        rollout: Default::default(),
    };
    picker.update(Msg::Services(Ok(vec![row("b", "x"), row("b", "y")])));
    picker.update(Msg::Key(Key::Down));
    assert_eq!(
        picker.selected().unwrap().picked(),
        Row::Service(row("b", "y")).picked()
    );
    picker.update(Msg::Services(Ok(vec![row("a", "z")])));
    picker.update(Msg::Stacks(Ok(vec!["s".into()])));
    assert_eq!(names(&picker), ["stack s", "a/z", "b/x", "b/y"]);
    assert_eq!(picker.cursor, 3, "still on b/y");
    assert_eq!(picker.services, 3);
    assert!(picker.loading());
    picker.update(Msg::ServicesDone);
    assert!(!picker.loading());
}

#[test]
fn listing_errors_are_kept_and_take_lines_from_the_list() {
    let mut picker = fixture(3, 24);
    picker.update(Msg::Services(Err(
        "ListServices on cluster x: access denied".into(),
    )));
    assert_eq!(picker.errors.len(), 1);
    assert_eq!(picker.page(), 19);
    for i in 0..5 {
        picker.update(Msg::Stacks(Err(format!("e{}", i % 4))));
    }
    assert_eq!(
        picker.errors,
        [
            "ListServices on cluster x: access denied",
            "e0",
            "e1",
            "e2",
            "e3"
        ]
    );
    assert_eq!(picker.page(), 20 - MAX_ERRORS);
}

#[test]
fn keys_that_do_nothing_do_not_redraw() {
    let mut picker = fixture(3, 24);
    picker.dirty = false;
    picker.update(Msg::Key(Key::Tab));
    picker.update(Msg::Key(Key::Backspace));
    assert!(!picker.dirty);
    picker.update(Msg::Key(Key::Down));
    assert!(picker.dirty);
}
