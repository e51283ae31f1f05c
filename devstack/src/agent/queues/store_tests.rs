use super::*;

fn message(body: &str, sent_ms: i64) -> Message {
    Message {
        id: format!("id-{body}"),
        body: body.to_owned(),
        md5_of_body: String::new(),
        attributes: BTreeMap::new(),
        md5_of_attributes: None,
        trace_header: None,
        sent_ms,
        receive_count: 0,
        first_receive_ms: None,
    }
}

fn bodies(received: &[Received]) -> Vec<&str> {
    received.iter().map(|r| r.message.body.as_str()).collect()
}

#[test]
fn received_messages_are_in_flight_until_their_timeout_then_visible_again() {
    let mut store = Store::new(7);
    for (i, body) in ["a", "b", "c"].iter().enumerate() {
        store.send(message(body, i as i64), 0, 0);
    }
    let (got, dead) = store.receive(1_000, 2, 30_000, None);
    assert_eq!(bodies(&got), ["a", "b"]);
    assert!(dead.is_empty());
    let counts = store.counts(1_000);
    assert_eq!((counts.visible, counts.not_visible), (1, 2));
    assert_eq!(store.next_change(), Some(31_000));
    assert_eq!(store.counts(31_000).visible, 3, "the timeout expired");
    let (again, _) = store.receive(31_000, 10, 30_000, None);
    assert_eq!(bodies(&again), ["a", "b", "c"]);
    assert_eq!(again[0].message.receive_count, 2);
    assert_eq!(again[0].message.first_receive_ms, Some(1_000));
}

#[test]
fn a_handle_deletes_once_a_stale_one_deletes_nothing_and_a_foreign_one_is_invalid() {
    let mut store = Store::new(7);
    store.send(message("a", 0), 0, 0);
    let (first, _) = store.receive(0, 1, 0, None);
    let (second, _) = store.receive(1, 1, 30_000, None);
    assert_eq!(store.delete(&first[0].receipt_handle), Ok(false), "stale");
    assert_eq!(store.len(), 1);
    assert_eq!(store.delete(&second[0].receipt_handle), Ok(true));
    assert_eq!(store.delete(&second[0].receipt_handle), Ok(false), "again");
    assert!(store.is_empty());
    assert_eq!(store.delete("nonsense"), Err(NotChanged::Invalid));
    let other = Store::new(8);
    assert_eq!(
        other.parse(&second[0].receipt_handle),
        None,
        "another queue's handle"
    );
}

#[test]
fn visibility_changes_apply_to_in_flight_messages_only() {
    let mut store = Store::new(1);
    store.send(message("a", 0), 0, 0);
    let (got, _) = store.receive(0, 1, 30_000, None);
    let handle = &got[0].receipt_handle;
    store.change_visibility(handle, 10, 0).unwrap();
    assert_eq!(store.counts(10).visible, 1);
    assert_eq!(
        store.change_visibility(handle, 10, 5),
        Err(NotChanged::NotInFlight)
    );
    let (got, _) = store.receive(20, 1, 1_000, None);
    store
        .change_visibility(&got[0].receipt_handle, 20, 60_000)
        .unwrap();
    assert_eq!(store.counts(30_000).not_visible, 1, "extended");
    assert_eq!(
        store.change_visibility(handle, 30_000, 5),
        Err(NotChanged::Gone)
    );
}

#[test]
fn a_message_received_max_receive_times_goes_to_the_dead_letters() {
    let mut store = Store::new(1);
    store.send(message("poison", 0), 0, 0);
    for n in 0..3 {
        let (got, dead) = store.receive(n, 1, 0, Some(3));
        assert_eq!(got.len(), 1, "receive {n}");
        assert!(dead.is_empty());
    }
    let (got, dead) = store.receive(10, 1, 0, Some(3));
    assert!(got.is_empty());
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].receive_count, 3);
    assert!(store.is_empty());
}

#[test]
fn delayed_messages_count_apart_and_purge_and_expiry_empty() {
    let mut store = Store::new(1);
    store.send(message("later", 0), 0, 5_000);
    store.send(message("now", 100), 100, 0);
    assert_eq!(
        store.counts(100),
        Counts {
            visible: 1,
            not_visible: 0,
            delayed: 1
        }
    );
    assert_eq!(bodies(&store.receive(4_000, 10, 1, None).0), ["now"]);
    assert_eq!(store.oldest_sent_ms(), Some(0));
    assert_eq!(store.expire(150, 100), 1, "the message sent at 0");
    assert_eq!(store.purge(), 1);
    assert!(store.is_empty());
    store.send(message("x", 0), 0, 0);
    store.send(message("y", 0), 0, 0);
    assert_eq!(store.take_visible(0, 1).len(), 1);
    assert_eq!(store.take_all().len(), 1);
}
